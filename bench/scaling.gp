# scaling.gp: draws bench/scaling.sh's CSV: ns per request and bytes per pod
# against the number of pods (both axes logarithmic in pods).
#   gnuplot -e "data='docs/img/scaling.csv'; out='docs/img/scaling.svg'" bench/scaling.gp
if (!exists("data")) data = 'docs/img/scaling.csv'
if (!exists("out")) out = 'docs/img/scaling.svg'
set terminal svg size 720,420 dynamic font 'sans,12' background '#ffffff'
set output out
set datafile separator ','
set datafile commentschars '#'
set key center right noenhanced
set title 'rahtisim bench requests: cost per request and memory per pod' noenhanced
set logscale x 10
set format x '10^{%L}'
set xlabel 'pods (services = pods / 10, 10 traffic sources)'
set ylabel 'ns per request (wall clock)'
set y2label 'bytes per pod (max RSS - baseline) / pods'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid xtics ytics
plot data using 1:6 with linespoints lw 2 pt 7 title 'ns/request', \
     data using 1:8 axes x1y2 with linespoints lw 2 pt 5 title 'bytes/pod'
