set title "resnet20_s2, stage 3: eigenvalues of df/du x dt over each step's stability region"
set xlabel "Re z"
set ylabel "Im z"
set grid
set key top right
set key outside right top
set size ratio -1
set terminal pngcairo noenhanced size 900,600 font ",11"
set output "spectra_resnet20_s2_stage3.png"
plot "spectra_resnet20_s2_stage3.dat" index 0 using 1:2 with points pt 7 ps 0.7 lc rgb "#1f77b4" title "stage3.block2: 43 % inside", "spectra_resnet20_s2_stage3.dat" index 1 using 1:2 with lines dt 2 lw 1.5 lc rgb "#1f77b4" title "  its region (forward Euler)", "spectra_resnet20_s2_stage3.dat" index 2 using 1:2 with points pt 7 ps 0.7 lc rgb "#ff7f0e" title "stage3.block3: 23 % inside", "spectra_resnet20_s2_stage3.dat" index 3 using 1:2 with lines dt 2 lw 1.5 lc rgb "#ff7f0e" title "  its region (forward Euler)"
unset output
set terminal svg noenhanced size 900,600 dynamic
set output "spectra_resnet20_s2_stage3.svg"
plot "spectra_resnet20_s2_stage3.dat" index 0 using 1:2 with points pt 7 ps 0.7 lc rgb "#1f77b4" title "stage3.block2: 43 % inside", "spectra_resnet20_s2_stage3.dat" index 1 using 1:2 with lines dt 2 lw 1.5 lc rgb "#1f77b4" title "  its region (forward Euler)", "spectra_resnet20_s2_stage3.dat" index 2 using 1:2 with points pt 7 ps 0.7 lc rgb "#ff7f0e" title "stage3.block3: 23 % inside", "spectra_resnet20_s2_stage3.dat" index 3 using 1:2 with lines dt 2 lw 1.5 lc rgb "#ff7f0e" title "  its region (forward Euler)"
unset output
