# Mean NLL by position inside the window (log2 buckets). Edit and run: gnuplot positions_austen_sliding_stride_T_2_T32768.gp
set title "Loss by position — austen · sliding (stride T/2), T = 32768"
set xlabel 'position in window (tokens)'
set ylabel 'mean NLL (nats)'
set logscale x 2
set grid
set key outside right
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'positions_austen_sliding_stride_T_2_T32768.svg'
plot 'positions_austen_sliding_stride_T_2_T32768.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "alibi", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "fire", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "fire-s", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "kerple", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "nope", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope-ntk", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope-pi", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope-yarn", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "sinusoidal", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 10 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "t5"
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'positions_austen_sliding_stride_T_2_T32768.png'
plot 'positions_austen_sliding_stride_T_2_T32768.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "alibi", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "fire", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "fire-s", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "kerple", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "nope", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope-ntk", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope-pi", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "rope-yarn", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "sinusoidal", \
     'positions_austen_sliding_stride_T_2_T32768.dat' index 10 using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "t5"
unset output
