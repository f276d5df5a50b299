# bench/run.sh's chart: throughput and p99 latency of tools/call list_payments against the
# number of concurrent clients, for justifi-mcp, the TypeScript SDK peer and the ceiling.
# Usage: gnuplot -e "data='results/chart.tsv'; output='results/chart.png'" chart.gp
if (!exists("data")) data = 'results/chart.tsv'
if (!exists("output")) output = 'results/chart.png'

set terminal pngcairo size 1400,600 font "sans,11" noenhanced
set output output
set datafile separator "\t"
set grid
set logscale x 2
set xtics ("1" 1, "4" 4, "16" 16, "64" 64, "256" 256)
set xrange [0.8:320]
set xlabel "concurrent clients (keep-alive connections)"
set style line 1 lc rgb "#1b9e77" lw 2 pt 7 ps 1.2
set style line 2 lc rgb "#d95f02" lw 2 pt 5 ps 1.2
set style line 3 lc rgb "#7570b3" lw 2 dt 2 pt 9 ps 1.2

set multiplot layout 1,2 title "tools/call list_payments (limit 25) over Streamable HTTP, through the server to justifi-mock"

set title "throughput"
set key center right box opaque
set ylabel "requests/s"
set yrange [0:*]
plot data using 1:2 skip 1 with linespoints ls 1 title "justifi-mcp", \
     data using 1:3 skip 1 with linespoints ls 2 title "TypeScript SDK peer", \
     data using 1:4 skip 1 with linespoints ls 3 title "ceiling: justifi-mock direct"

set title "p99 latency (log scale)"
set ylabel "ms"
set logscale y
set yrange [*:*]
set key top left box opaque
plot data using 1:5 skip 1 with linespoints ls 1 title "justifi-mcp", \
     data using 1:6 skip 1 with linespoints ls 2 title "TypeScript SDK peer", \
     data using 1:7 skip 1 with linespoints ls 3 title "ceiling: justifi-mock direct"

unset multiplot
