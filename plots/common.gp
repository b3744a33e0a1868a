# plots/common.gp: the part every rahtisim plot shares (rahtisim run --plot DIR).
#
# rahtisim writes each script as: a header of variables it sets itself
# (file names made of [A-Za-z0-9._-], numbers, a title of [A-Za-z0-9 ._:/-]),
# then this file, then one of rps.gp, outcomes.gp, latency.gp.  Nothing
# from a scenario is ever written into a script: pod names, outcome words
# and event labels are read from the CSV files as data (column headers and
# a label column), where gnuplot never evaluates them, and all text is
# drawn with noenhanced, so no markup applies either.
#
# Variables from the header: data, events, has_events, derived,
# has_derived, out, title_text, ncols, end_s, has_data, empty_label.
# Data rows are at the start of each time bucket (and one closes the last),
# drawn as steps: a bucket's value holds over the whole bucket.
# Run by hand in the plot folder:
# gnuplot NAME.gp
#
# has_data = 0 when the data has no value to draw (no pod answered: no rps
# column, no latency): the plot is then empty, with a fixed y range and
# empty_label in its middle, instead of gnuplot's "all points y value
# undefined!" error.

if (!exists("tmp_suffix")) tmp_suffix = ''
if (!exists("has_data")) has_data = 1
if (!exists("has_derived")) has_derived = 0
if (!exists("empty_label")) empty_label = 'no data'
png_term = (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) ? "pngcairo" : "png"

set datafile separator ','
set datafile missing '-'
set key outside right top noenhanced
set grid
set border 3
set tics nomirror
set xlabel 'simulated time (s)' noenhanced
set xrange [0:end_s]
set yrange [0:*]
if (!has_data) {
    set yrange [0:1]
    set label 1 empty_label at graph 0.5, 0.5 center noenhanced tc rgb 'gray25'
}
set title title_text noenhanced
# Events (delete, crash, scale, router down, annotate...) are vertical lines
# on a second y axis running from 0 to 1, labelled from the events file.
set y2range [0:1]
unset y2tics
ev = has_events ? sprintf(", '%s' using 1:(0):(0):(1) axes x1y2 with vectors nohead dt 2 lc rgb 'gray40' notitle, '%s' using 1:(0.98):2 axes x1y2 with labels rotate by 90 right offset -0.8,0 font ',8' tc rgb 'gray25' noenhanced notitle", events, events) : ""
# Derived events (what the simulation did in answer: a crash detected,
# endpoints updated, a router reload, a pod ready) are dotted, in another
# colour, labelled from the bottom.
ev = ev . (has_derived ? sprintf(", '%s' using 1:(0):(0):(1) axes x1y2 with vectors nohead dt 3 lc rgb '#c05000' notitle, '%s' using 1:(0.02):2 axes x1y2 with labels rotate by 90 left offset -0.8,0 font ',7' tc rgb '#c05000' noenhanced notitle", derived, derived) : "")
# The plot command of an empty plot: nothing but the events and the label.
empty_plot = "plot NaN notitle" . ev
