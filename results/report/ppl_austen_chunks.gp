# Perplexity vs evaluation length. Edit and run: gnuplot ppl_austen_chunks.gp
set title "Perplexity — austen · chunks (bands: 95% bootstrap CI)"
set xlabel 'evaluation length (tokens)'
set ylabel 'perplexity'
set logscale x 2
set logscale y
set grid
set key outside right
set arrow from 512,graph 0 to 512,graph 1 nohead dt 2 lc 'gray'
set terminal svg size 900,560 dynamic noenhanced font 'Sans,12'
set output 'ppl_austen_chunks.svg'
plot 'ppl_austen_chunks.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 1 notitle, 'ppl_austen_chunks.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 1 title "alibi", \
     'ppl_austen_chunks.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 2 notitle, 'ppl_austen_chunks.dat' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 2 title "fire", \
     'ppl_austen_chunks.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 3 notitle, 'ppl_austen_chunks.dat' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 3 title "fire-s", \
     'ppl_austen_chunks.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 4 notitle, 'ppl_austen_chunks.dat' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 4 title "kerple", \
     'ppl_austen_chunks.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 5 notitle, 'ppl_austen_chunks.dat' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 5 title "nope", \
     'ppl_austen_chunks.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 6 notitle, 'ppl_austen_chunks.dat' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 6 title "rope", \
     'ppl_austen_chunks.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 7 notitle, 'ppl_austen_chunks.dat' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 7 title "rope-ntk", \
     'ppl_austen_chunks.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 8 notitle, 'ppl_austen_chunks.dat' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 8 title "rope-pi", \
     'ppl_austen_chunks.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 9 notitle, 'ppl_austen_chunks.dat' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 9 title "rope-yarn", \
     'ppl_austen_chunks.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 10 notitle, 'ppl_austen_chunks.dat' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 10 title "sinusoidal", \
     'ppl_austen_chunks.dat' index 10 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 11 notitle, 'ppl_austen_chunks.dat' index 10 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 11 title "t5"
set terminal pngcairo size 1100,680 noenhanced font 'Sans,11'
set output 'ppl_austen_chunks.png'
plot 'ppl_austen_chunks.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 1 notitle, 'ppl_austen_chunks.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 1 title "alibi", \
     'ppl_austen_chunks.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 2 notitle, 'ppl_austen_chunks.dat' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 2 title "fire", \
     'ppl_austen_chunks.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 3 notitle, 'ppl_austen_chunks.dat' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 3 title "fire-s", \
     'ppl_austen_chunks.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 4 notitle, 'ppl_austen_chunks.dat' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 4 title "kerple", \
     'ppl_austen_chunks.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 5 notitle, 'ppl_austen_chunks.dat' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 5 title "nope", \
     'ppl_austen_chunks.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 6 notitle, 'ppl_austen_chunks.dat' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 6 title "rope", \
     'ppl_austen_chunks.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 7 notitle, 'ppl_austen_chunks.dat' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 7 title "rope-ntk", \
     'ppl_austen_chunks.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 8 notitle, 'ppl_austen_chunks.dat' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 8 title "rope-pi", \
     'ppl_austen_chunks.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 9 notitle, 'ppl_austen_chunks.dat' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 9 title "rope-yarn", \
     'ppl_austen_chunks.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 10 notitle, 'ppl_austen_chunks.dat' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 10 title "sinusoidal", \
     'ppl_austen_chunks.dat' index 10 using 1:3:4 with filledcurves fs transparent solid 0.15 lc 11 notitle, 'ppl_austen_chunks.dat' index 10 using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc 11 title "t5"
unset output
