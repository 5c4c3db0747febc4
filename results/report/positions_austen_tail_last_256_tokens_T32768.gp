# Mean NLL by position inside the window (log2 buckets), averaged over all windows of
# the cell. Edit and run: gnuplot positions_austen_tail_last_256_tokens_T32768.gp
set title "Loss by position — austen · tail (last 256 tokens), T = 32768 (mean over all windows)"
set xlabel 'position in window (tokens)'
set ylabel 'mean NLL (nats)'
set logscale x 2
set grid
set key outside right
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'positions_austen_tail_last_256_tokens_T32768.svg'
plot 'positions_austen_tail_last_256_tokens_T32768.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 1 pt 7 title "alibi", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 10 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5"
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'positions_austen_tail_last_256_tokens_T32768.png'
plot 'positions_austen_tail_last_256_tokens_T32768.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 1 pt 7 title "alibi", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'positions_austen_tail_last_256_tokens_T32768.dat' index 10 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5"
unset output
