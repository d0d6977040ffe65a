;; Stroke coverage for the digits task (raster.ts): `jsSegment` and `moments`
;; in WebAssembly, the same float64 operations in the same order, so the same
;; bytes as the JS loops (tested). Assembled by scripts/build-wasm.mjs into
;; segments.wasm.ts at `npm run build`.
(module
  (import "env" "memory" (memory 1))

  ;; segments(image, width, rec, end): for each record of 13 float64s at bytes
  ;; rec .. end (cx0, cx1, cy0, cy1, x0, y0, r0, dr, dx, dy, invLen2, half,
  ;; inv), jsSegment over pixel pairs (px, px + 1) in float64x2 lanes, the image
  ;; being float32 at byte `image`. Needs cx1 - cx0 odd (an even number of
  ;; columns) and cy1 >= cy0. Upper-case locals are the record's values
  ;; splatted across both lanes.
  (func (export "segments")
    (param $image i32) (param $width i32) (param $rec i32) (param $end i32)
    (local $cx0 i32) (local $cx1 i32) (local $cy0 i32) (local $cy1 i32)
    (local $py i32) (local $row i32) (local $addr i32) (local $rowEnd i32)
    (local $y0 f64) (local $dy f64) (local $ry f64)
    (local $X0 v128) (local $DX v128) (local $DY v128) (local $R0 v128) (local $DR v128)
    (local $INVL v128) (local $HALF v128) (local $INV v128) (local $RY v128) (local $RYDY v128)
    ;; PC: the pair's pixel centres; the rest per pair
    (local $PC v128) (local $rx v128) (local $t v128) (local $d2 v128) (local $reach v128)
    (local $v v128) (local $prev v128) (local $e v128)
    (block $done
      (loop $records
        (br_if $done (i32.ge_u (local.get $rec) (local.get $end)))
        (local.set $cx0 (i32.trunc_f64_s (f64.load (local.get $rec))))
        (local.set $cx1 (i32.trunc_f64_s (f64.load offset=8 (local.get $rec))))
        (local.set $cy0 (i32.trunc_f64_s (f64.load offset=16 (local.get $rec))))
        (local.set $cy1 (i32.trunc_f64_s (f64.load offset=24 (local.get $rec))))
        (local.set $X0 (f64x2.splat (f64.load offset=32 (local.get $rec))))
        (local.set $y0 (f64.load offset=40 (local.get $rec)))
        (local.set $R0 (f64x2.splat (f64.load offset=48 (local.get $rec))))
        (local.set $DR (f64x2.splat (f64.load offset=56 (local.get $rec))))
        (local.set $DX (f64x2.splat (f64.load offset=64 (local.get $rec))))
        (local.set $DY (f64x2.splat (local.tee $dy (f64.load offset=72 (local.get $rec)))))
        (local.set $INVL (f64x2.splat (f64.load offset=80 (local.get $rec))))
        (local.set $HALF (f64x2.splat (f64.load offset=88 (local.get $rec))))
        (local.set $INV (f64x2.splat (f64.load offset=96 (local.get $rec))))
        (local.set $py (local.get $cy0))
        (loop $rows
          ;; row = image + 4 py width; ry = py + 0.5 - y0, and ry dy
          (local.set $row
            (i32.add (local.get $image) (i32.shl (i32.mul (local.get $py) (local.get $width)) (i32.const 2))))
          (local.set $RY
            (f64x2.splat
              (local.tee $ry
                (f64.sub (f64.add (f64.convert_i32_s (local.get $py)) (f64.const 0.5)) (local.get $y0)))))
          (local.set $RYDY (f64x2.splat (f64.mul (local.get $ry) (local.get $dy))))
          ;; addr = row + 4 cx0 .. rowEnd = row + 4 (cx1 + 1); PC = (cx0 + 0.5, cx0 + 1.5)
          (local.set $addr (i32.add (local.get $row) (i32.shl (local.get $cx0) (i32.const 2))))
          (local.set $rowEnd
            (i32.add (local.get $row) (i32.shl (i32.add (local.get $cx1) (i32.const 1)) (i32.const 2))))
          (local.set $PC
            (f64x2.add
              (f64x2.convert_low_i32x4_s
                (i32x4.add (i32x4.splat (local.get $cx0)) (v128.const i32x4 0 1 0 0)))
              (v128.const f64x2 0.5 0.5)))
          (loop $pairs
            ;; rx = PC - x0 (the centres are exact: small integers and halves);
            ;; t = clamp((rx dx + ry dy) invLen2, 0, 1): pmin(t, 1) is 1 < t ? 1 : t, pmax(t, 0) is t < 0 ? 0 : t
            (local.set $t
              (f64x2.pmax
                (f64x2.pmin
                  (f64x2.mul
                    (f64x2.add
                      (f64x2.mul (local.tee $rx (f64x2.sub (local.get $PC) (local.get $X0))) (local.get $DX))
                      (local.get $RYDY))
                    (local.get $INVL))
                  (v128.const f64x2 1 1))
                (v128.const f64x2 0 0)))
            ;; d2 = (rx - t dx)² + (ry - t dy)²
            (local.set $d2
              (f64x2.add
                (f64x2.mul
                  (local.tee $e (f64x2.sub (local.get $rx) (f64x2.mul (local.get $t) (local.get $DX))))
                  (local.get $e))
                (f64x2.mul
                  (local.tee $e (f64x2.sub (local.get $RY) (f64x2.mul (local.get $t) (local.get $DY))))
                  (local.get $e))))
            ;; reach = r0 + dr t + half
            (local.set $reach
              (f64x2.add (f64x2.add (local.get $R0) (f64x2.mul (local.get $DR) (local.get $t))) (local.get $HALF)))
            ;; v = min((reach - sqrt(d2)) inv, 1). jsSegment's v is 1 inside the inner
            ;; radius r - half, and this is 1 there up to a few float64 ulps (reach minus
            ;; inner is soft, rounded); both store float32 1 (its spacing below 1 is
            ;; 6e-8), and where jsSegment's ramp exceeds 1 by rounding, both store 1 too.
            (local.set $v
              (f64x2.pmin
                (f64x2.mul (f64x2.sub (local.get $reach) (f64x2.sqrt (local.get $d2))) (local.get $INV))
                (v128.const f64x2 1 1)))
            ;; prev = the two pixels, as float64
            (local.set $prev (f64x2.promote_low_f32x4 (v128.load64_zero align=1 (local.get $addr))))
            ;; store d2 < reach² && v > prev ? v : prev, as float32 (v <= 1, so a full
            ;; pixel stays; d2 < reach² as in jsSegment: sqrt(d2) may round to just
            ;; under reach where d2 does not, and v would be a speck above 0)
            (v128.store64_lane align=1 0
              (local.get $addr)
              (f32x4.demote_f64x2_zero
                (v128.bitselect
                  (local.get $v)
                  (local.get $prev)
                  (v128.and
                    (f64x2.lt (local.get $d2) (f64x2.mul (local.get $reach) (local.get $reach)))
                    (f64x2.gt (local.get $v) (local.get $prev))))))
            ;; next pair while addr < rowEnd
            (local.set $PC (f64x2.add (local.get $PC) (v128.const f64x2 2 2)))
            (br_if $pairs
              (i32.lt_s (local.tee $addr (i32.add (local.get $addr) (i32.const 8))) (local.get $rowEnd))))
          ;; next row while py + 1 <= cy1
          (br_if $rows (i32.le_s (local.tee $py (i32.add (local.get $py) (i32.const 1))) (local.get $cy1))))
        ;; next record: 13 float64s on
        (local.set $rec (i32.add (local.get $rec) (i32.const 104)))
        (br $records))))

  ;; moments(image, width, x0, x1, y0, y1, out): the JS loop of `moments` in
  ;; scalar float64, the same additions in the same order (so the same sums to
  ;; the bit), written as three float64s at byte `out`. Why WebAssembly: the JS
  ;; loop spends about 1.5 ns a pixel on index checks and conversions, twice a
  ;; digit over some 400 pixels. Needs x0 <= x1 and y0 <= y1.
  (func (export "moments")
    (param $image i32) (param $width i32) (param $x0 i32) (param $x1 i32) (param $y0 i32) (param $y1 i32) (param $out i32)
    (local $py i32) (local $px i32) (local $addr i32)
    (local $m f64) (local $mx f64) (local $my f64) (local $v f64) (local $fy f64)
    (local.set $py (local.get $y0))
    (loop $rows
      (local.set $fy (f64.convert_i32_s (local.get $py)))
      ;; addr = image + 4 (py width + x0)
      (local.set $addr
        (i32.add
          (local.get $image)
          (i32.shl (i32.add (i32.mul (local.get $py) (local.get $width)) (local.get $x0)) (i32.const 2))))
      (local.set $px (local.get $x0))
      (loop $columns
        (local.set $v (f64.promote_f32 (f32.load (local.get $addr))))
        (local.set $m (f64.add (local.get $m) (local.get $v)))
        (local.set $mx (f64.add (local.get $mx) (f64.mul (local.get $v) (f64.convert_i32_s (local.get $px)))))
        (local.set $my (f64.add (local.get $my) (f64.mul (local.get $v) (local.get $fy))))
        (local.set $addr (i32.add (local.get $addr) (i32.const 4)))
        (br_if $columns (i32.le_s (local.tee $px (i32.add (local.get $px) (i32.const 1))) (local.get $x1))))
      (br_if $rows (i32.le_s (local.tee $py (i32.add (local.get $py) (i32.const 1))) (local.get $y1))))
    (f64.store (local.get $out) (local.get $m))
    (f64.store offset=8 (local.get $out) (local.get $mx))
    (f64.store offset=16 (local.get $out) (local.get $my))))
