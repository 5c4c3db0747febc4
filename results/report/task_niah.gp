# Greedy exact match vs length (pooled over depths). Edit and run: gnuplot task_niah.gp
set title "Greedy exact match — niah"
set xlabel 'evaluation length (tokens)'
set ylabel 'exact match'
set logscale x 2
set yrange [0:1.05]
set grid
set key outside right
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'task_niah.svg'
plot 'task_niah.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 1 pt 7 title "alibi", \
     'task_niah.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'task_niah.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'task_niah.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'task_niah.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'task_niah.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'task_niah.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'task_niah.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'task_niah.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'task_niah.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'task_niah.dat' index 10 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5"
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'task_niah.png'
plot 'task_niah.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 1 pt 7 title "alibi", \
     'task_niah.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'task_niah.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'task_niah.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'task_niah.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'task_niah.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'task_niah.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'task_niah.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'task_niah.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'task_niah.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'task_niah.dat' index 10 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5"
unset output
