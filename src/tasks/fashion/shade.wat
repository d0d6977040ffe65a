;; The fashion task's shading pass (shade.ts): `jsShade` two pixels at a time
;; in float64x2 lanes, the same float64 operations in the same order, so the
;; same bytes as the JS loop (tested). Assembled by scripts/build-wasm.mjs into
;; shade.wasm.ts at `npm run build`.
;;
;; The canvas memory, laid out as in shade.ts (S = 28, STRIDE = 30); the byte
;; offsets appear below as literals:
;;   ACC       0  float64, S rows of STRIDE (polygon area accumulation)
;;   STROKES 6720 float32, S x S (stroke coverage)
;;   DARK   9856  float32, S x S (dark details)
;;   OUT   12992  float32, S x S (the image)
;;   NOISE 16128  float64, 6 rows of S (NOISE + 224 is the next noise row)
;;   COLS  17472  float64, S (each column's pattern value)
;;   ROWS  17696  float64, S rows of 4: fy, pattern, light, noise row start (an index into NOISE)
(module
  (import "env" "memory" (memory 1))

  ;; shade(noiseWeight, brightness, shading, tex): writes the image at OUT and
  ;; clears ACC, STROKES and DARK.
  (func (export "shade")
    (param $noiseWeight f64) (param $brightness f64) (param $shading f64) (param $tex f64)
    ;; byte addresses and offsets: acc (a), pixel (k = 4 index), column (x8 = 8 x), row (r), noise row (n)
    (local $a i32) (local $k i32) (local $x8 i32) (local $r i32) (local $n i32)
    ;; the params and the row's values splatted (fy, 1 - fy, row pattern, row light)
    (local $W v128) (local $B v128) (local $SH v128) (local $T v128)
    (local $FY v128) (local $FY1 v128) (local $RP v128) (local $RL v128)
    ;; the running sum's carry, and per pair: sums, coverage, noise, value
    (local $carry v128) (local $sums v128) (local $c v128) (local $nz v128) (local $v v128)
    (local.set $W (f64x2.splat (local.get $noiseWeight)))
    (local.set $B (f64x2.splat (local.get $brightness)))
    (local.set $SH (f64x2.splat (local.get $shading)))
    (local.set $T (f64x2.splat (local.get $tex)))
    (local.set $r (i32.const 17696)) ;; ROWS
    (loop $rows
      (local.set $FY (f64x2.splat (f64.load (local.get $r))))
      (local.set $FY1 (f64x2.sub (v128.const f64x2 1 1) (local.get $FY)))
      (local.set $RP (f64x2.splat (f64.load offset=8 (local.get $r))))
      (local.set $RL (f64x2.splat (f64.load offset=16 (local.get $r))))
      (local.set $n (i32.shl (i32.trunc_f64_s (f64.load offset=24 (local.get $r))) (i32.const 3)))
      (local.set $carry (v128.const f64x2 0 0))
      (local.set $x8 (i32.const 0))
      (loop $pairs
        ;; sums = (a0 + carry, (a1 + a0) + carry); carry = the second, in both lanes; the pair of acc cleared
        (local.set $sums
          (f64x2.add
            (f64x2.add
              (local.tee $sums (v128.load (local.get $a)))
              ;; (0, a0): the low lane of the zeros, then the low lane of sums
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (v128.const f64x2 0 0) (local.get $sums)))
            (local.get $carry)))
        (local.set $carry
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $sums) (local.get $sums)))
        (v128.store (local.get $a) (v128.const f64x2 0 0))
        ;; c = pmax(area, stroke), area = |sums| > EPS ? pmin(|sums|, 1) : 0; strokes cleared.
        ;; The stroke pair is two float32s: a full 16-byte load of which the low
        ;; half is used (the last pair of a layer reads into the next one). Not
        ;; v128.load64_zero: with it, V8 11's optimised code (Node 20) read the
        ;; zeros that the layer's clearing store writes later in the loop (the JS
        ;; comparison test fails that way).
        (local.set $c
          (f64x2.pmax
            (v128.bitselect
              (f64x2.pmin (f64x2.abs (local.get $sums)) (v128.const f64x2 1 1))
              (v128.const f64x2 0 0)
              (f64x2.gt (f64x2.abs (local.get $sums)) (v128.const f64x2 1e-9 1e-9)))
            (f64x2.promote_low_f32x4 (v128.load offset=6720 align=8 (local.get $k))))) ;; STROKES
        (v128.store64_lane offset=6720 0 (local.get $k) (v128.const f64x2 0 0))
        ;; nz = noise row (1 - fy) + next noise row fy
        (local.set $nz
          (f64x2.add
            (f64x2.mul (v128.load offset=16128 (i32.add (local.get $n) (local.get $x8))) (local.get $FY1)) ;; NOISE
            (f64x2.mul (v128.load offset=16352 (i32.add (local.get $n) (local.get $x8))) (local.get $FY))))
        ;; v = c · brightness · light · (1 − tex · pattern) · (1 − 0.7 · dark),
        ;; light = 1 − shading (rl + 0.5 n), pattern = w n + |cols − rp|
        (local.set $v
          (f64x2.mul
            (f64x2.mul
              (f64x2.mul
                (f64x2.mul (local.get $c) (local.get $B))
                (f64x2.sub
                  (v128.const f64x2 1 1)
                  (f64x2.mul
                    (local.get $SH)
                    (f64x2.add (local.get $RL) (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $nz))))))
              (f64x2.sub
                (v128.const f64x2 1 1)
                (f64x2.mul
                  (local.get $T)
                  (f64x2.add
                    (f64x2.mul (local.get $W) (local.get $nz))
                    (f64x2.abs (f64x2.sub (v128.load offset=17472 (local.get $x8)) (local.get $RP))))))) ;; COLS
            (f64x2.sub
              (v128.const f64x2 1 1)
              (f64x2.mul
                (v128.const f64x2 0.7 0.7)
                (f64x2.promote_low_f32x4 (v128.load offset=9856 align=8 (local.get $k))))))) ;; DARK
        (v128.store64_lane offset=9856 0 (local.get $k) (v128.const f64x2 0 0))
        ;; out = c > 0 ? (v < 0 ? 0 : pmin(v, 1)) : 0
        (v128.store64_lane offset=12992 0 ;; OUT
          (local.get $k)
          (f32x4.demote_f64x2_zero
            (v128.bitselect
              (v128.bitselect
                (v128.const f64x2 0 0)
                (f64x2.pmin (local.get $v) (v128.const f64x2 1 1))
                (f64x2.lt (local.get $v) (v128.const f64x2 0 0)))
              (v128.const f64x2 0 0)
              (f64x2.gt (local.get $c) (v128.const f64x2 0 0)))))
        ;; next pair while x < S
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br_if $pairs (i32.lt_s (local.tee $x8 (i32.add (local.get $x8) (i32.const 16))) (i32.const 224))))
      ;; clear the two spare columns; next row while k < 4 S S
      (v128.store (local.get $a) (v128.const f64x2 0 0))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $r (i32.add (local.get $r) (i32.const 32)))
      (br_if $rows (i32.lt_s (local.get $k) (i32.const 3136))))))
