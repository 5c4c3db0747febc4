# Perplexity vs evaluation length. Edit and run: gnuplot ppl_austen_sliding_stride_T_2.gp
set title "Perplexity — austen · sliding (stride T/2) (bands: 95% block-bootstrap CI)"
set xlabel 'evaluation length (tokens)'
set ylabel 'perplexity'
set logscale x 2
set grid
set key outside right
set arrow from 512,graph 0 to 512,graph 1 nohead dt 2 lc 'gray'
set yrange [*:295.094]
set bmargin 5
set label 1 "y clipped at 295: rope (max 435), sinusoidal (max 419)" at screen 0.01, screen 0.03 left front
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'ppl_austen_sliding_stride_T_2.svg'
plot 'ppl_austen_sliding_stride_T_2.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#0072b2' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 1 pt 7 title "alibi", \
     'ppl_austen_sliding_stride_T_2.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'ppl_austen_sliding_stride_T_2.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'ppl_austen_sliding_stride_T_2.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#cc79a7' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'ppl_austen_sliding_stride_T_2.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#e69f00' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'ppl_austen_sliding_stride_T_2.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#56b4e9' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'ppl_austen_sliding_stride_T_2.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#000000' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'ppl_austen_sliding_stride_T_2.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#b8860b' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'ppl_austen_sliding_stride_T_2.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#0072b2' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'ppl_austen_sliding_stride_T_2.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'ppl_austen_sliding_stride_T_2.dat' index 10 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 10 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5"
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'ppl_austen_sliding_stride_T_2.png'
plot 'ppl_austen_sliding_stride_T_2.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#0072b2' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 0 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 1 pt 7 title "alibi", \
     'ppl_austen_sliding_stride_T_2.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 1 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 1 pt 5 title "fire", \
     'ppl_austen_sliding_stride_T_2.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 2 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 1 pt 9 title "fire-s", \
     'ppl_austen_sliding_stride_T_2.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#cc79a7' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 3 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#cc79a7' dt 1 pt 11 title "kerple", \
     'ppl_austen_sliding_stride_T_2.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#e69f00' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 4 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#e69f00' dt 1 pt 13 title "nope", \
     'ppl_austen_sliding_stride_T_2.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#56b4e9' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 5 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#56b4e9' dt 1 pt 15 title "rope", \
     'ppl_austen_sliding_stride_T_2.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#000000' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 6 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#000000' dt 1 pt 4 title "rope-ntk", \
     'ppl_austen_sliding_stride_T_2.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#b8860b' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 7 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#b8860b' dt 1 pt 6 title "rope-pi", \
     'ppl_austen_sliding_stride_T_2.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#0072b2' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 8 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#0072b2' dt 2 pt 8 title "rope-yarn", \
     'ppl_austen_sliding_stride_T_2.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#d55e00' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 9 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#d55e00' dt 2 pt 10 title "sinusoidal", \
     'ppl_austen_sliding_stride_T_2.dat' index 10 using 1:3:4 with filledcurves fs transparent solid 0.15 lc rgb '#009e73' notitle, 'ppl_austen_sliding_stride_T_2.dat' index 10 using 1:2 with linespoints lw 2 ps 0.7 lc rgb '#009e73' dt 2 pt 12 title "t5"
unset output
