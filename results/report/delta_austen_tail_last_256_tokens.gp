# Paired ΔNLL vs the baseline model on the same blocks. Edit and run: gnuplot delta_austen_tail_last_256_tokens.gp
set title "ΔNLL vs alibi — austen · tail (last 256 tokens) (bands: paired 95% CI)"
set xlabel 'evaluation length (tokens)'
set ylabel "mean NLL − alibi's (nats/token; < 0 = better)"
set logscale x 2
set grid
set key outside right
set yrange [*:0.335925]
set bmargin 5
set label 1 "y clipped at 0.336: rope (max 1.3), rope-ntk (max 0.523), sinusoidal (max 1.3)" at screen 0.01, screen 0.03 left front
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'delta_austen_tail_last_256_tokens.svg'
plot 'delta_austen_tail_last_256_tokens.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'delta_austen_tail_last_256_tokens.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'delta_austen_tail_last_256_tokens.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'delta_austen_tail_last_256_tokens.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'delta_austen_tail_last_256_tokens.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#cc79a7' notitle, 'delta_austen_tail_last_256_tokens.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'delta_austen_tail_last_256_tokens.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#e69f00' notitle, 'delta_austen_tail_last_256_tokens.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'delta_austen_tail_last_256_tokens.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#56b4e9' notitle, 'delta_austen_tail_last_256_tokens.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'delta_austen_tail_last_256_tokens.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#000000' notitle, 'delta_austen_tail_last_256_tokens.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'delta_austen_tail_last_256_tokens.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#b8860b' notitle, 'delta_austen_tail_last_256_tokens.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'delta_austen_tail_last_256_tokens.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#0072b2' notitle, 'delta_austen_tail_last_256_tokens.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'delta_austen_tail_last_256_tokens.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'delta_austen_tail_last_256_tokens.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'delta_austen_tail_last_256_tokens.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'delta_austen_tail_last_256_tokens.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5", \
     0 with lines lc rgb '#777777' dt 2 notitle
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'delta_austen_tail_last_256_tokens.png'
plot 'delta_austen_tail_last_256_tokens.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'delta_austen_tail_last_256_tokens.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'delta_austen_tail_last_256_tokens.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'delta_austen_tail_last_256_tokens.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'delta_austen_tail_last_256_tokens.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#cc79a7' notitle, 'delta_austen_tail_last_256_tokens.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'delta_austen_tail_last_256_tokens.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#e69f00' notitle, 'delta_austen_tail_last_256_tokens.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'delta_austen_tail_last_256_tokens.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#56b4e9' notitle, 'delta_austen_tail_last_256_tokens.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'delta_austen_tail_last_256_tokens.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#000000' notitle, 'delta_austen_tail_last_256_tokens.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'delta_austen_tail_last_256_tokens.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#b8860b' notitle, 'delta_austen_tail_last_256_tokens.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'delta_austen_tail_last_256_tokens.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#0072b2' notitle, 'delta_austen_tail_last_256_tokens.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'delta_austen_tail_last_256_tokens.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'delta_austen_tail_last_256_tokens.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'delta_austen_tail_last_256_tokens.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'delta_austen_tail_last_256_tokens.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5", \
     0 with lines lc rgb '#777777' dt 2 notitle
unset output
