;; Random bits to 0/1 floats for the pixel-count task (wasm-bits.ts): the
;; xorshift128 steps of `Rng.fillBernoulliWords`, and the unpacking of words
;; into float32 pixels, four a 16-byte SIMD store. Assembled by
;; scripts/build-wasm.mjs into bits.wasm.ts at `npm run build`.
(module
  (import "env" "memory" (memory 1))

  ;; unpack(words, n, out): for each of the n 32-bit words at byte `words`,
  ;; writes its 32 bits (bit 0 first) as float32 0 or 1 at byte `out`, 128
  ;; bytes a word. The eight stores are the loop over a word's nibbles, unrolled.
  (func (export "unpack")
    (param $words i32) (param $n i32) (param $out i32)
    (local $end i32)
    ;; the word splatted across four lanes, shifted right a nibble after each store
    (local $word v128)
    (local.set $end (i32.add (local.get $words) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $eachWord
        (br_if $done (i32.ge_u (local.get $words) (local.get $end)))
        (local.set $word (i32x4.splat (i32.load (local.get $words))))
        ;; lane j of store k holds bit 4k + j of the word: all ones where it is set, masked to 1.0f
        (v128.store (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=16 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=32 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=48 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=64 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=80 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=96 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $word (i32x4.shr_u (local.get $word) (i32.const 4)))
        (v128.store offset=112 (local.get $out)
          (v128.and (i32x4.eq (v128.and (local.get $word) (v128.const i32x4 1 2 4 8)) (v128.const i32x4 1 2 4 8)) (v128.const f32x4 1 1 1 1)))
        (local.set $out (i32.add (local.get $out) (i32.const 128)))
        (local.set $words (i32.add (local.get $words) (i32.const 4)))
        (br $eachWord))))

  ;; bernoulli(state, q, low, words, n): `Rng.fillBernoulliWords` step for step.
  ;; The xorshift128 state is four i32 at byte `state` (read, then written back).
  ;; For each of the n words at byte `words`: r = 0, then for each binary digit
  ;; b of q from `low` to 7, a fresh xorshift word w, and r = digit ? r | w : r & w.
  (func (export "bernoulli")
    (param $state i32) (param $q i32) (param $low i32) (param $words i32) (param $n i32)
    (local $x i32) (local $y i32) (local $z i32) (local $w i32) (local $t i32) (local $r i32) (local $b i32) (local $end i32)
    (local.set $x (i32.load (local.get $state)))
    (local.set $y (i32.load offset=4 (local.get $state)))
    (local.set $z (i32.load offset=8 (local.get $state)))
    (local.set $w (i32.load offset=12 (local.get $state)))
    (local.set $end (i32.add (local.get $words) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $eachWord
        (br_if $done (i32.ge_u (local.get $words) (local.get $end)))
        (local.set $r (i32.const 0))
        (local.set $b (local.get $low))
        (block $digitsDone
          (loop $digits
            (br_if $digitsDone (i32.ge_u (local.get $b) (i32.const 8)))
            ;; t = x ^ (x << 11); x = y; y = z; z = w; w ^= (w >>> 19) ^ t ^ (t >>> 8)
            (local.set $t (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 11))))
            (local.set $x (local.get $y))
            (local.set $y (local.get $z))
            (local.set $z (local.get $w))
            (local.set $w
              (i32.xor
                (i32.xor (i32.xor (local.get $w) (i32.shr_u (local.get $w) (i32.const 19))) (local.get $t))
                (i32.shr_u (local.get $t) (i32.const 8))))
            ;; r = (q >> b) & 1 ? r | w : r & w
            (local.set $r
              (select
                (i32.or (local.get $r) (local.get $w))
                (i32.and (local.get $r) (local.get $w))
                (i32.and (i32.shr_s (local.get $q) (local.get $b)) (i32.const 1))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $digits)))
        (i32.store (local.get $words) (local.get $r))
        (local.set $words (i32.add (local.get $words) (i32.const 4)))
        (br $eachWord)))
    (i32.store (local.get $state) (local.get $x))
    (i32.store offset=4 (local.get $state) (local.get $y))
    (i32.store offset=8 (local.get $state) (local.get $z))
    (i32.store offset=12 (local.get $state) (local.get $w))))
