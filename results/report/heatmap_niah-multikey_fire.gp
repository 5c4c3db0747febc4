# Accuracy by needle depth (rows) and length (columns). Edit and run: gnuplot heatmap_niah-multikey_fire.gp
set title "niah-multikey — fire"
set xlabel 'evaluation length (tokens); grey: not measured'
set ylabel 'needle depth'
set xtics ('512' 0, '1024' 1, '2048' 2, '4096' 3, '8192' 4, '16384' 5, '32768' 6)
set ytics ('10%%' 0, '50%%' 1, '90%%' 2)
set cbrange [0:1]
set cblabel 'exact match'
set palette defined (0 '#b2182b', 0.5 '#f7f7f7', 1 '#2166ac')
set view map
set object 1 rectangle from graph 0,0 to graph 1,1 behind fillcolor rgb '#999999' fillstyle solid noborder
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'heatmap_niah-multikey_fire.svg'
plot 'heatmap_niah-multikey_fire.dat' matrix with image notitle
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'heatmap_niah-multikey_fire.png'
plot 'heatmap_niah-multikey_fire.dat' matrix with image notitle
unset output
