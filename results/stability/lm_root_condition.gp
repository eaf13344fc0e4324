set title "root condition of the LM step: largest |root| of (zeta - 1)(zeta + k)"
set xlabel "k"
set ylabel "max |zeta|"
set grid
set key top right
set key below
set yrange [0:3.2]
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "lm_root_condition.png"
plot "lm_root_condition.dat" index 0 using 1:2 with lines lw 2 title "max |zeta| (zero-stable where <= 1, k != -1)", "lm_root_condition.dat" index 1 using 1:2 with lines lw 6 lc rgb 'forest-green' title "zero-stable range -1 < k <= 1"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "lm_root_condition.svg"
plot "lm_root_condition.dat" index 0 using 1:2 with lines lw 2 title "max |zeta| (zero-stable where <= 1, k != -1)", "lm_root_condition.dat" index 1 using 1:2 with lines lw 6 lc rgb 'forest-green' title "zero-stable range -1 < k <= 1"
unset output
