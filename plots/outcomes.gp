# plots/outcomes.gp: outcomes per second over time: ok against each error kind.
# Columns of data: time_s, ok, then each outcome that happened.
set ylabel 'requests per second' noenhanced
plotcmd = has_data ? "plot for [i=2:ncols] data using 1:i with steps lw 2 title columnhead(i)" . ev : empty_plot

set terminal png_term size 960,480 noenhanced font ',10'
set output out . '.png' . tmp_suffix
eval plotcmd
set terminal svg size 960,480 noenhanced font 'sans,10' background rgb 'white'
set output out . '.svg' . tmp_suffix
eval plotcmd
set output
