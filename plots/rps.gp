# plots/rps.gp: requests SENT to each pod per second over time (by send time),
# whatever came of them: a crashed pod keeps receiving requests that time out.
# Columns of data: time_s, then one per pod (the header row names them; the
# pods sent the fewest requests are summed in an "other pods" column).
set ylabel 'requests sent per second' noenhanced
plotcmd = has_data ? "plot for [i=2:ncols] data using 1:i with steps lw 2 title columnhead(i)" . ev : empty_plot

set terminal png_term size 960,480 noenhanced font ',10'
set output out . '.png' . tmp_suffix
eval plotcmd
set terminal svg size 960,480 noenhanced font 'sans,10' background rgb 'white'
set output out . '.svg' . tmp_suffix
eval plotcmd
set output
