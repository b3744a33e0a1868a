# plots/rps.gp: answers per second by pod over time (by send time).
# Columns of data: time_s, then one per pod (the header row names them).
set ylabel 'answers per second' noenhanced
plotcmd = has_data ? "plot for [i=2:ncols] data using 1:i with lines lw 2 title columnhead(i)" . ev : empty_plot

set terminal png_term size 960,480 noenhanced font ',10'
set output out . '.png' . tmp_suffix
eval plotcmd
set terminal svg size 960,480 noenhanced font 'sans,10' background rgb 'white'
set output out . '.svg' . tmp_suffix
eval plotcmd
set output
