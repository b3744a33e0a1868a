# plots/pods.gp: what came of the requests sent to each pod, by outcome.
# Columns of data: pod, then ok and each outcome that happened (the outcome
# table's words); one row per pod, the pods sent the fewest requests summed
# in one "other pods" row.  Stacked bars: a crashed pod's bar is all timeout.
set ylabel 'requests sent' noenhanced
set xlabel ''
unset xrange
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -30 noenhanced
plotcmd = has_data ? "plot for [i=2:ncols] data using i:xtic(1) title columnhead(i)" : "plot NaN notitle"

set terminal png_term size 960,480 noenhanced font ',10'
set output out . '.png' . tmp_suffix
eval plotcmd
set terminal svg size 960,480 noenhanced font 'sans,10' background rgb 'white'
set output out . '.svg' . tmp_suffix
eval plotcmd
set output
