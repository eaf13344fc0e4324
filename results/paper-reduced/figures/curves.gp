set title "paper-reduced: error by epoch"
set xlabel "epoch"
set ylabel "error (%)"
set grid
set key top right
set key below
set xtics 1
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "curves.png"
plot "curves.dat" index 0 using 1:2 with linespoints pt 7 title "lm_resnet20 (mean of 3) test", "curves.dat" index 1 using 1:2 with linespoints dt 2 pt 6 title "lm_resnet20 (mean of 3) train", "curves.dat" index 2 using 1:2 with linespoints pt 7 title "resnet20 (mean of 3) test", "curves.dat" index 3 using 1:2 with linespoints dt 2 pt 6 title "resnet20 (mean of 3) train"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "curves.svg"
plot "curves.dat" index 0 using 1:2 with linespoints pt 7 title "lm_resnet20 (mean of 3) test", "curves.dat" index 1 using 1:2 with linespoints dt 2 pt 6 title "lm_resnet20 (mean of 3) train", "curves.dat" index 2 using 1:2 with linespoints pt 7 title "resnet20 (mean of 3) test", "curves.dat" index 3 using 1:2 with linespoints dt 2 pt 6 title "resnet20 (mean of 3) train"
unset output
