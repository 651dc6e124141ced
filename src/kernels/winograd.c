/*
 * Winograd convolutions for training on tfjs's wasm backend.
 *
 * F(4x4, 3x3) on 6x6 tiles (points 0, +-1, +-2, infinity) and F(4x4, 5x5)
 * on 8x8 tiles (adding +-1/2): 36 and 64 multiplies per tile and channel pair
 * where a direct convolution needs 144 and 400. The forward pass and its
 * two adjoints, the input gradient (the same tiles run backwards: output
 * gradient through A, the transposed filter and B) and the filter gradient,
 * all become 36 (or 64) small matrix products, which run on 128-bit SIMD.
 *
 * Layouts: images NHWC, filters HWIO (tfjs). Tiles are numbered over
 * (n, tile row, tile column) and processed in blocks so that a block's
 * transformed input V[a*a][tiles][C] stays in cache (a = 6 or 8). At the end,
 * a direct convolution for one input channel (the first layer). No libc:
 * JavaScript owns the memory above __heap_base and passes pointers.
 *
 * Build: scripts/build-wasm.ts (clang --target=wasm32 -msimd128), twice: once
 * as is and once with -mrelaxed-simd, where multiply-adds become fused (one
 * instruction, one rounding) on hardware with FMA.
 */
#include <wasm_simd128.h>

typedef v128_t v4;
#define EXPORT(name) __attribute__((export_name(#name)))

static inline v4 k(float c) { return wasm_f32x4_splat(c); }
static inline v4 add(v4 a, v4 b) { return wasm_f32x4_add(a, b); }
static inline v4 sub(v4 a, v4 b) { return wasm_f32x4_sub(a, b); }
static inline v4 mul(v4 a, v4 b) { return wasm_f32x4_mul(a, b); }
/* c + a b */
#ifdef __wasm_relaxed_simd__
static inline v4 madd(v4 a, v4 b, v4 c) { return __builtin_wasm_relaxed_madd_f32x4(a, b, c); }
#else
static inline v4 madd(v4 a, v4 b, v4 c) { return add(c, mul(a, b)); }
#endif

/* o[i*os] = sum_j M[i][j] d[j*s] (with T, M transposed) for a constant matrix: unrolled, so the zero terms vanish. */
#define MATVEC(M, ROWS, COLS, d, s, o, os, T)                                      \
  _Pragma("clang loop unroll(full)") for (int i_ = 0; i_ < ROWS; i_++) {          \
    v4 acc_ = wasm_f32x4_splat(-0.f);                                             \
    _Pragma("clang loop unroll(full)") for (int j_ = 0; j_ < COLS; j_++)          \
      if (M[T ? j_ : i_][T ? i_ : j_] != 0.f) acc_ = madd(k(M[T ? j_ : i_][T ? i_ : j_]), (d)[j_ * (s)], acc_); \
    (o)[i_ * (os)] = acc_;                                                        \
  }

/* o = B^T d, for six vectors d[0..5] spaced `s` apart. */
static inline void bt6(const v4 *d, int s, v4 *o, int os) {
  v4 d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s];
  v4 four = k(4.f), five = k(5.f), two = k(2.f);
  v4 a = sub(d4, mul(four, d2));   /* d4 - 4 d2 */
  v4 b = sub(d3, mul(four, d1));   /* d3 - 4 d1 */
  v4 c = sub(d4, d2);
  v4 e = mul(two, sub(d3, d1));
  o[0] = add(sub(mul(four, d0), mul(five, d2)), d4);
  o[os] = add(a, b);
  o[2 * os] = sub(a, b);
  o[3 * os] = add(c, e);
  o[4 * os] = sub(c, e);
  o[5 * os] = add(sub(mul(four, d1), mul(five, d3)), d5);
}

/* o[0..3] = A^T t for six vectors t spaced `s` apart. */
static inline void at6(const v4 *t, int s, v4 *o, int os) {
  v4 t0 = t[0], t1 = t[s], t2 = t[2 * s], t3 = t[3 * s], t4 = t[4 * s], t5 = t[5 * s];
  v4 p = add(t1, t2), q = sub(t1, t2), r = add(t3, t4), u = sub(t3, t4);
  o[0] = add(add(t0, p), r);
  o[os] = add(q, mul(k(2.f), u));
  o[2 * os] = add(p, mul(k(4.f), r));
  o[3 * os] = add(add(q, mul(k(8.f), u)), t5);
}

/* o[0..5] = A g for four vectors g spaced `s` apart (A is AT transposed, 6 x 4). */
static inline void a6(const v4 *g, int s, v4 *o, int os) {
  v4 g0 = g[0], g1 = g[s], g2 = g[2 * s], g3 = g[3 * s];
  v4 e = add(g0, g2), f = add(g1, g3);
  v4 e4 = add(g0, mul(k(4.f), g2)), f8 = add(mul(k(2.f), g1), mul(k(8.f), g3));
  o[0] = g0;
  o[os] = add(e, f);
  o[2 * os] = sub(e, f);
  o[3 * os] = add(e4, f8);
  o[4 * os] = sub(e4, f8);
  o[5 * os] = g3;
}

/*
 * The 8x8 tile (points 0, 1, -1, 2, -2, 1/2, -1/2, infinity) for F(4x4, 5x5),
 * its three transforms factored by hand: pairs of rows share their even and
 * odd parts, so each costs about half the operations of a plain matrix product.
 */
/* o = B^T d for eight vectors d spaced `s` apart. */
static inline void bt8(const v4 *d, int s, v4 *o, int os) {
  v4 d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s], d6 = d[6 * s], d7 = d[7 * s];
  v4 a = madd(k(-4.25f), d4, add(d2, d6)), b = madd(k(-4.25f), d3, add(d1, d5));
  v4 c = madd(k(-1.25f), d4, madd(k(.25f), d2, d6)), e = madd(k(2.f), d5, madd(k(-2.5f), d3, mul(k(.5f), d1)));
  v4 f = madd(k(4.f), madd(k(-1.25f), d4, d2), d6), g = madd(k(.5f), d5, madd(k(-2.5f), d3, mul(k(2.f), d1)));
  o[0] = madd(k(5.25f), sub(d2, d4), sub(d6, d0));
  o[os] = add(a, b);
  o[2 * os] = sub(a, b);
  o[3 * os] = add(c, e);
  o[4 * os] = sub(c, e);
  o[5 * os] = add(f, g);
  o[6 * os] = sub(f, g);
  o[7 * os] = madd(k(5.25f), sub(d3, d5), sub(d7, d1));
}

/* o[0..3] = A^T t for eight vectors t spaced `s` apart. */
static inline void at8(const v4 *t, int s, v4 *o, int os) {
  v4 t1 = t[s], t2 = t[2 * s], t3 = t[3 * s], t4 = t[4 * s], t5 = t[5 * s], t6 = t[6 * s];
  v4 p = add(t1, t2), q = sub(t1, t2), r = add(t3, t4), u = sub(t3, t4), v = add(t5, t6), w = sub(t5, t6);
  o[0] = add(add(t[0], p), add(r, v));
  o[os] = madd(k(.5f), w, madd(k(2.f), u, q));
  o[2 * os] = madd(k(.25f), v, madd(k(4.f), r, p));
  o[3 * os] = add(madd(k(.125f), w, madd(k(8.f), u, q)), t[7 * s]);
}

/* o[0..7] = A g for four vectors g spaced `s` apart (A is A^T transposed, 8 x 4). */
static inline void a8(const v4 *g, int s, v4 *o, int os) {
  v4 g0 = g[0], g1 = g[s], g2 = g[2 * s], g3 = g[3 * s];
  v4 e = add(g0, g2), f = add(g1, g3);
  v4 e4 = madd(k(4.f), g2, g0), f8 = madd(k(8.f), g3, mul(k(2.f), g1));
  v4 e1 = madd(k(.25f), g2, g0), f1 = madd(k(.125f), g3, mul(k(.5f), g1));
  o[0] = g0;
  o[os] = add(e, f);
  o[2 * os] = sub(e, f);
  o[3 * os] = add(e4, f8);
  o[4 * os] = sub(e4, f8);
  o[5 * os] = add(e1, f1);
  o[6 * os] = sub(e1, f1);
  o[7 * os] = g3;
}

/*
 * o = B g for six or eight vectors g spaced `s` apart: the adjoint of bt6 and
 * bt8 (B^T d), for the input gradient. The matrices B^T they apply:
 */
static const float BT6[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
static const float BT8[8][8] = {
    {-1, 0, 21.f / 4, 0, -21.f / 4, 0, 1, 0},  {0, 1, 1, -17.f / 4, -17.f / 4, 1, 1, 0},
    {0, -1, 1, 17.f / 4, -17.f / 4, -1, 1, 0}, {0, .5f, .25f, -2.5f, -1.25f, 2, 1, 0},
    {0, -.5f, .25f, 2.5f, -1.25f, -2, 1, 0},   {0, 2, 4, -2.5f, -5, .5f, 1, 0},
    {0, -2, 4, 2.5f, -5, -.5f, 1, 0},          {0, -1, 0, 21.f / 4, 0, -21.f / 4, 0, 1}};
static inline void b6(const v4 *g, int s, v4 *o, int os) { MATVEC(BT6, 6, 6, g, s, o, os, 1) }
static inline void b8(const v4 *g, int s, v4 *o, int os) { MATVEC(BT8, 8, 8, g, s, o, os, 1) }

/*
 * Floats from one tile point's block of tb tiles x C channels to the next:
 * an odd number of 64-byte cache lines, so that the a*a blocks of a tile's
 * points, written together, do not all fall into the same few cache sets
 * (plain tb*C floats is a multiple of 2 KiB for most shapes).
 */
static inline long plane(int tb, int C) { return ((((long)tb * C + 15) >> 4) | 1) << 4; }

/* Tile transforms for a x a tiles (a = 6 or 8), stamped out below. */
#define TILE_FUNCS(A) \
/* \
 * V[xi][t][c] = (B^T d B)[xi] for the tiles t0 .. t0+tb-1 of x [N,H,W,C]; \
 * tile (n, ty, tx) reads rows ty*m - padT .. +5 and columns tx*m - padL .. +5, \
 * zero outside the image. C is a multiple of 4. \
 */ \
static void input_transform##A(const float *x, int H, int W, int C, int padT, int padL, int m, int tilesH, int tilesW, \
                            int t0, int tb, float *V) { \
  v4 d[A * A], t[A * A], o[A * A]; \
  const v4 zero = wasm_f32x4_splat(0.f); \
  for (int ti = 0; ti < tb; ti++) { \
    int tile = t0 + ti; \
    int tx = tile % tilesW, rest = tile / tilesW; \
    int ty = rest % tilesH, n = rest / tilesH; \
    int y0 = ty * m - padT, x0 = tx * m - padL; \
    const float *img = x + (long)n * H * W * C; \
    int inside = y0 >= 0 && x0 >= 0 && y0 + A <= H && x0 + A <= W; \
    for (int c = 0; c < C; c += 4) { \
      if (inside) { \
        for (int i = 0; i < A; i++) \
          for (int j = 0; j < A; j++) d[i * A + j] = wasm_v128_load(img + ((y0 + i) * W + x0 + j) * C + c); \
      } else { \
        for (int i = 0; i < A; i++) { \
          int yy = y0 + i; \
          for (int j = 0; j < A; j++) { \
            int xx = x0 + j; \
            d[i * A + j] = (yy >= 0 && yy < H && xx >= 0 && xx < W) ? wasm_v128_load(img + (yy * W + xx) * C + c) : zero; \
          } \
        } \
      } \
      for (int j = 0; j < A; j++) bt##A(d + j, A, t + j, A);    /* columns: t = B^T d */ \
      for (int i = 0; i < A; i++) bt##A(t + i * A, 1, o + i * A, 1); /* rows: o = t B */ \
      float *dst = V + (long)ti * C + c; \
      for (int xi = 0; xi < A * A; xi++) wasm_v128_store(dst + xi * plane(tb, C), o[xi]); \
    } \
  } \
} \
 \
/* \
 * y[tiles] = A^T M A for the tiles t0 .. t0+tb-1, written into y [N,OH,OW,K] \
 * where inside. M is [a*a][tb][K], K a multiple of 4. \
 */ \
static void output_transform##A(const float *M, int OH, int OW, int K, int m, int tilesH, int tilesW, int t0, int tb, \
                             float *y) { \
  v4 s[A * A], t[4 * A], o[16]; \
  for (int ti = 0; ti < tb; ti++) { \
    int tile = t0 + ti; \
    int tx = tile % tilesW, rest = tile / tilesW; \
    int ty = rest % tilesH, n = rest / tilesH; \
    float *out = y + (long)n * OH * OW * K; \
    for (int c = 0; c < K; c += 4) { \
      const float *src = M + (long)ti * K + c; \
      for (int xi = 0; xi < A * A; xi++) s[xi] = wasm_v128_load(src + xi * plane(tb, K)); \
      for (int j = 0; j < A; j++) at##A(s + j, A, t + j, A);      /* t[m][a] = A^T s */ \
      for (int i = 0; i < m; i++) at##A(t + i * A, 1, o + i * m, 1); /* o[m][m] = t A */ \
      for (int i = 0; i < m; i++) { \
        int yy = ty * m + i; \
        if (yy >= OH) break; \
        for (int j = 0; j < m; j++) { \
          int xx = tx * m + j; \
          if (xx >= OW) break; \
          wasm_v128_store(out + (yy * OW + xx) * K + c, o[i * m + j]); \
        } \
      } \
    } \
  } \
} \
 \
/* \
 * The adjoint of input_transform: dx [N,H,W,C] += (B dV B^T)[tile] over each \
 * tile's window, where inside the image. dV is [a*a][tb][C], C a multiple of 4. \
 */ \
static void input_untransform##A(const float *dV, int H, int W, int C, int padT, int padL, int m, int tilesH, int tilesW, \
                              int t0, int tb, float *dx) { \
  v4 s[A * A], t[A * A], o[A * A]; \
  for (int ti = 0; ti < tb; ti++) { \
    int tile = t0 + ti; \
    int tx = tile % tilesW, rest = tile / tilesW; \
    int ty = rest % tilesH, n = rest / tilesH; \
    int y0 = ty * m - padT, x0 = tx * m - padL; \
    float *img = dx + (long)n * H * W * C; \
    for (int c = 0; c < C; c += 4) { \
      const float *src = dV + (long)ti * C + c; \
      for (int xi = 0; xi < A * A; xi++) s[xi] = wasm_v128_load(src + xi * plane(tb, C)); \
      for (int j = 0; j < A; j++) b##A(s + j, A, t + j, A);         /* columns: t = B s */ \
      for (int i = 0; i < A; i++) b##A(t + i * A, 1, o + i * A, 1); /* rows: o = t B^T */ \
      for (int i = 0; i < A; i++) { \
        int yy = y0 + i; \
        if (yy < 0 || yy >= H) continue; \
        for (int j = 0; j < A; j++) { \
          int xx = x0 + j; \
          if (xx < 0 || xx >= W) continue; \
          float *p = img + (yy * W + xx) * C + c; \
          wasm_v128_store(p, add(wasm_v128_load(p), o[i * A + j])); \
        } \
      } \
    } \
  } \
} \
 \
/* dM[xi][t][k] = (A dy A^T)[xi] for the output-gradient tiles, zero outside dy [N,OH,OW,K]. */ \
static void grad_transform##A(const float *dy, int OH, int OW, int K, int m, int tilesH, int tilesW, int t0, int tb, \
                           float *dM) { \
  v4 g[16], t[4 * A], o[A * A]; \
  const v4 zero = wasm_f32x4_splat(0.f); \
  for (int ti = 0; ti < tb; ti++) { \
    int tile = t0 + ti; \
    int tx = tile % tilesW, rest = tile / tilesW; \
    int ty = rest % tilesH, n = rest / tilesH; \
    const float *src = dy + (long)n * OH * OW * K; \
    for (int c = 0; c < K; c += 4) { \
      for (int i = 0; i < m; i++) { \
        int yy = ty * m + i; \
        for (int j = 0; j < m; j++) { \
          int xx = tx * m + j; \
          g[i * m + j] = (yy < OH && xx < OW) ? wasm_v128_load(src + (yy * OW + xx) * K + c) : zero; \
        } \
      } \
      for (int j = 0; j < m; j++) a##A(g + j, m, t + j, m);        /* t[a][m] = A g */ \
      for (int i = 0; i < A; i++) a##A(t + i * m, 1, o + i * A, 1); /* o[a][a] = t A^T */ \
      float *dst = dM + (long)ti * K + c; \
      for (int xi = 0; xi < A * A; xi++) wasm_v128_store(dst + xi * plane(tb, K), o[xi]); \
    } \
  } \
}

TILE_FUNCS(6)
TILE_FUNCS(8)

/* For each of the nxi tile points: Out[tb][K] = In[tb][C] . U[C][K] (In and Out a plane apart). K a multiple of 8. */
static void gemm_forward(const float *V, const float *U, int nxi, int tb, int C, int K, float *Out) {
  for (int xi = 0; xi < nxi; xi++) {
    const float *a = V + xi * plane(tb, C);
    const float *b = U + (long)xi * C * K;
    float *o = Out + xi * plane(tb, K);
    int t = 0;
    for (; t + 4 <= tb; t += 4) {
      const float *a0 = a + t * C, *a1 = a0 + C, *a2 = a1 + C, *a3 = a2 + C;
      for (int kk = 0; kk < K; kk += 8) {
        v4 c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        const float *bp = b + kk;
        for (int c = 0; c < C; c++, bp += K) {
          v4 b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
          v4 x0 = wasm_v128_load32_splat(a0 + c), x1 = wasm_v128_load32_splat(a1 + c);
          v4 x2 = wasm_v128_load32_splat(a2 + c), x3 = wasm_v128_load32_splat(a3 + c);
          c00 = madd(x0, b0, c00); c01 = madd(x0, b1, c01);
          c10 = madd(x1, b0, c10); c11 = madd(x1, b1, c11);
          c20 = madd(x2, b0, c20); c21 = madd(x2, b1, c21);
          c30 = madd(x3, b0, c30); c31 = madd(x3, b1, c31);
        }
        float *op = o + t * K + kk;
        wasm_v128_store(op, c00); wasm_v128_store(op + 4, c01);
        wasm_v128_store(op + K, c10); wasm_v128_store(op + K + 4, c11);
        wasm_v128_store(op + 2 * K, c20); wasm_v128_store(op + 2 * K + 4, c21);
        wasm_v128_store(op + 3 * K, c30); wasm_v128_store(op + 3 * K + 4, c31);
      }
    }
    for (; t < tb; t++) {
      const float *a0 = a + t * C;
      for (int kk = 0; kk < K; kk += 8) {
        v4 c00 = wasm_f32x4_splat(0.f), c01 = c00;
        const float *bp = b + kk;
        for (int c = 0; c < C; c++, bp += K) {
          v4 x0 = wasm_v128_load32_splat(a0 + c);
          c00 = madd(x0, wasm_v128_load(bp), c00);
          c01 = madd(x0, wasm_v128_load(bp + 4), c01);
        }
        wasm_v128_store(o + t * K + kk, c00);
        wasm_v128_store(o + t * K + kk + 4, c01);
      }
    }
  }
}

/* For each of the nxi tile points: dU[C][K] += V[tb][C]^T . dM[tb][K]. C a multiple of 4, K of 8. */
static void gemm_filter(const float *V, const float *dM, int nxi, int tb, int C, int K, float *dU) {
  for (int xi = 0; xi < nxi; xi++) {
    const float *a = V + xi * plane(tb, C);
    const float *b = dM + xi * plane(tb, K);
    float *o = dU + (long)xi * C * K;
    for (int c = 0; c < C; c += 4) {
      for (int kk = 0; kk < K; kk += 8) {
        float *op = o + c * K + kk;
        v4 c00 = wasm_v128_load(op), c01 = wasm_v128_load(op + 4);
        v4 c10 = wasm_v128_load(op + K), c11 = wasm_v128_load(op + K + 4);
        v4 c20 = wasm_v128_load(op + 2 * K), c21 = wasm_v128_load(op + 2 * K + 4);
        v4 c30 = wasm_v128_load(op + 3 * K), c31 = wasm_v128_load(op + 3 * K + 4);
        const float *ap = a + c, *bp = b + kk;
        for (int t = 0; t < tb; t++, ap += C, bp += K) {
          v4 av = wasm_v128_load(ap);
          v4 b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
          v4 x0 = wasm_i32x4_shuffle(av, av, 0, 0, 0, 0), x1 = wasm_i32x4_shuffle(av, av, 1, 1, 1, 1);
          v4 x2 = wasm_i32x4_shuffle(av, av, 2, 2, 2, 2), x3 = wasm_i32x4_shuffle(av, av, 3, 3, 3, 3);
          c00 = madd(x0, b0, c00); c01 = madd(x0, b1, c01);
          c10 = madd(x1, b0, c10); c11 = madd(x1, b1, c11);
          c20 = madd(x2, b0, c20); c21 = madd(x2, b1, c21);
          c30 = madd(x3, b0, c30); c31 = madd(x3, b1, c31);
        }
        wasm_v128_store(op, c00); wasm_v128_store(op + 4, c01);
        wasm_v128_store(op + K, c10); wasm_v128_store(op + K + 4, c11);
        wasm_v128_store(op + 2 * K, c20); wasm_v128_store(op + 2 * K + 4, c21);
        wasm_v128_store(op + 3 * K, c30); wasm_v128_store(op + 3 * K + 4, c31);
      }
    }
  }
}

/* G (a x r): F(4x4, 3x3) on 6x6 tiles, F(4x4, 5x5) on 8x8 tiles (rows at the tile's points). */
static const float G3[6][3] = {{1.f / 4, 0, 0},
                               {-1.f / 6, -1.f / 6, -1.f / 6},
                               {-1.f / 6, 1.f / 6, -1.f / 6},
                               {1.f / 24, 1.f / 12, 1.f / 6},
                               {1.f / 24, -1.f / 12, 1.f / 6},
                               {0, 0, 1}};
static const float G5[8][5] = {{-1, 0, 0, 0, 0},
                               {-2.f / 9, -2.f / 9, -2.f / 9, -2.f / 9, -2.f / 9},
                               {-2.f / 9, 2.f / 9, -2.f / 9, 2.f / 9, -2.f / 9},
                               {1.f / 90, 1.f / 45, 2.f / 45, 4.f / 45, 8.f / 45},
                               {1.f / 90, -1.f / 45, 2.f / 45, -4.f / 45, 8.f / 45},
                               {32.f / 45, 16.f / 45, 8.f / 45, 4.f / 45, 2.f / 45},
                               {32.f / 45, -16.f / 45, 8.f / 45, -4.f / 45, 2.f / 45},
                               {0, 0, 0, 0, 1}};

/* The tile size for a filter size: 6 for 3x3, 8 for 5x5 (both give 4x4 outputs). */
static int tile_of(int r) { return r == 3 ? 6 : 8; }

/*
 * The filter transforms of an r x r filter, four filters at a time (four
 * output channels: the filter's last, contiguous axis), stamped out for r = 3 and 5.
 */
#define FILTER_FUNCS(R, A, G)                                                                          \
/* u = G w G^T: w [R][R] -> u [A][A] */                                                                \
static inline void gwgt##R(const v4 *w, v4 *u) {                                                      \
  v4 t[A * R];                                                                                         \
  for (int b = 0; b < R; b++) { MATVEC(G, A, R, w + b, R, t + b, R, 0) }      /* t = G w */          \
  for (int j = 0; j < A; j++) { MATVEC(G, A, R, t + j * R, 1, u + j * A, 1, 0) } /* u = t G^T */      \
}                                                                                                      \
/* dw = G^T du G: du [A][A] -> dw [R][R] */                                                            \
static inline void gtug##R(const v4 *du, v4 *dw) {                                                    \
  v4 t[R * A];                                                                                         \
  for (int l = 0; l < A; l++) { MATVEC(G, R, A, du + l, A, t + l, A, 1) }     /* t = G^T du */       \
  for (int a = 0; a < R; a++) { MATVEC(G, R, A, t + a * A, 1, dw + a * R, 1, 1) } /* dw = t G */      \
}
FILTER_FUNCS(3, 6, G3)
FILTER_FUNCS(5, 8, G5)

/*
 * U[xi][c][k] = (G w G^T)[xi] from a filter g [r,r,C,K], K a multiple of 4;
 * transposed, U[xi][k][c] (the input gradient's).
 */
EXPORT(filter_transform)
void filter_transform(const float *g, int r, int C, int K, int transposed, float *U) {
  int A = tile_of(r);
  v4 w[25], u[64];
  for (int c = 0; c < C; c++) {
    for (int kk = 0; kk < K; kk += 4) {
      for (int ab = 0; ab < r * r; ab++) w[ab] = wasm_v128_load(g + ((long)ab * C + c) * K + kk);
      if (r == 3) gwgt3(w, u);
      else gwgt5(w, u);
      for (int xi = 0; xi < A * A; xi++) {
        if (!transposed) {
          wasm_v128_store(U + ((long)xi * C + c) * K + kk, u[xi]);
        } else {
          float *p = U + ((long)xi * K + kk) * C + c;
          p[0] = wasm_f32x4_extract_lane(u[xi], 0);
          p[C] = wasm_f32x4_extract_lane(u[xi], 1);
          p[2 * C] = wasm_f32x4_extract_lane(u[xi], 2);
          p[3 * C] = wasm_f32x4_extract_lane(u[xi], 3);
        }
      }
    }
  }
}

/* dg[a][b][c][k] = (G^T dU G)[a][b] for dU [a*a][C][K], K a multiple of 4. */
EXPORT(filter_untransform)
void filter_untransform(const float *dU, int r, int C, int K, float *dg) {
  int A = tile_of(r);
  v4 du[64], dw[25];
  for (int c = 0; c < C; c++) {
    for (int kk = 0; kk < K; kk += 4) {
      for (int xi = 0; xi < A * A; xi++) du[xi] = wasm_v128_load(dU + ((long)xi * C + c) * K + kk);
      if (r == 3) gtug3(du, dw);
      else gtug5(du, dw);
      for (int i = 0; i < r * r; i++) wasm_v128_store(dg + ((long)i * C + c) * K + kk, dw[i]);
    }
  }
}

/*
 * A forward pass's last step over y [rows][K], K a multiple of 4: plus the
 * bias (none if null), then max(y, 0) with relu; a pass of its own, as
 * branches in the transforms' inner loops cost more than it does.
 */
static void finish(float *y, long rows, int K, const float *bias, int relu) {
  if (!bias && !relu) return;
  const v4 zero = wasm_f32x4_splat(0.f);
  for (long i = 0; i < rows; i++, y += K)
    for (int c = 0; c < K; c += 4) {
      v4 v = wasm_v128_load(y + c);
      if (bias) v = add(v, wasm_v128_load(bias + c));
      wasm_v128_store(y + c, relu ? wasm_f32x4_max(v, zero) : v);
    }
}

/* Floats of scratch conv_forward, conv_input_grad and conv_filter_grad need for blocks of tb tiles. */
EXPORT(conv_scratch)
long conv_scratch(int r, int tb, int C, int K) { return (long)tile_of(r) * tile_of(r) * (plane(tb, C) + plane(tb, K)); }

/*
 * y [N,OH,OW,K] = conv(x [N,H,W,C], filter transformed into U [a*a][C][K]),
 * stride 1, with padT/padL zeros before the image (and as many after as OH,
 * OW need); r is the filter size (3 or 5), each tile gives 4x4 outputs;
 * then plus bias [K] (none if null) and with relu max(y, 0).
 * scratch holds V and M blocks of tb tiles: conv_scratch(r, tb, C, K) floats.
 */
EXPORT(conv_forward)
void conv_forward(const float *x, int N, int H, int W, int C, const float *U, int K, int r, int padT, int padL, int OH,
                  int OW, int tb, float *scratch, const float *bias, int relu, float *y) {
  const int m = 4, A = tile_of(r);
  int tilesH = (OH + m - 1) / m, tilesW = (OW + m - 1) / m, tiles = N * tilesH * tilesW;
  float *V = scratch, *M = scratch + A * A * plane(tb, C);
  for (int t0 = 0; t0 < tiles; t0 += tb) {
    int n = tiles - t0 < tb ? tiles - t0 : tb;
    if (A == 6) input_transform6(x, H, W, C, padT, padL, m, tilesH, tilesW, t0, n, V);
    else input_transform8(x, H, W, C, padT, padL, m, tilesH, tilesW, t0, n, V);
    gemm_forward(V, U, A * A, n, C, K, M);
    if (A == 6) output_transform6(M, OH, OW, K, m, tilesH, tilesW, t0, n, y);
    else output_transform8(M, OH, OW, K, m, tilesH, tilesW, t0, n, y);
  }
  finish(y, (long)N * OH * OW, K, bias, relu);
}

/*
 * dU [a*a][C][K] = the gradient of conv_forward's U, given x and dy
 * [N,OH,OW,K]; filter_untransform turns it into the filter gradient.
 * scratch as for conv_forward.
 */
EXPORT(conv_filter_grad)
void conv_filter_grad(const float *x, int N, int H, int W, int C, const float *dy, int K, int r, int padT, int padL,
                      int OH, int OW, int tb, float *scratch, float *dU) {
  const int m = 4, A = tile_of(r);
  int tilesH = (OH + m - 1) / m, tilesW = (OW + m - 1) / m, tiles = N * tilesH * tilesW;
  float *V = scratch, *dM = scratch + A * A * plane(tb, C);
  for (long i = 0; i < (long)A * A * C * K; i++) dU[i] = 0;
  for (int t0 = 0; t0 < tiles; t0 += tb) {
    int n = tiles - t0 < tb ? tiles - t0 : tb;
    if (A == 6) {
      input_transform6(x, H, W, C, padT, padL, m, tilesH, tilesW, t0, n, V);
      grad_transform6(dy, OH, OW, K, m, tilesH, tilesW, t0, n, dM);
    } else {
      input_transform8(x, H, W, C, padT, padL, m, tilesH, tilesW, t0, n, V);
      grad_transform8(dy, OH, OW, K, m, tilesH, tilesW, t0, n, dM);
    }
    gemm_filter(V, dM, A * A, n, C, K, dU);
  }
}

/*
 * dx [N,H,W,C] = the input gradient of conv_forward (same tiles and padding)
 * given dy [N,OH,OW,K] and the filter transformed with its channels swapped,
 * Ut [a*a][K][C]: each tile's output gradient through A, the transformed
 * filter and B, added into the tile's window. C a multiple of 8, K of 4.
 * scratch as for conv_forward.
 */
EXPORT(conv_input_grad)
void conv_input_grad(const float *dy, int N, int OH, int OW, int K, const float *Ut, int C, int r, int padT, int padL,
                     int H, int W, int tb, float *scratch, float *dx) {
  const int m = 4, A = tile_of(r);
  int tilesH = (OH + m - 1) / m, tilesW = (OW + m - 1) / m, tiles = N * tilesH * tilesW;
  float *dM = scratch, *dV = scratch + A * A * plane(tb, K);
  for (long i = 0; i < (long)N * H * W * C; i++) dx[i] = 0;
  for (int t0 = 0; t0 < tiles; t0 += tb) {
    int n = tiles - t0 < tb ? tiles - t0 : tb;
    if (A == 6) grad_transform6(dy, OH, OW, K, m, tilesH, tilesW, t0, n, dM);
    else grad_transform8(dy, OH, OW, K, m, tilesH, tilesW, t0, n, dM);
    gemm_forward(dM, Ut, A * A, n, K, C, dV);
    if (A == 6) input_untransform6(dV, H, W, C, padT, padL, m, tilesH, tilesW, t0, n, dx);
    else input_untransform8(dV, H, W, C, padT, padL, m, tilesH, tilesW, t0, n, dx);
  }
}

/*
 * A single input channel (the first layer) gains nothing from Winograd; a
 * direct convolution vectorised over output channels beats XNNPACK's path
 * for it, above all for the filter gradient. K is a multiple of 8; bias
 * and relu as for conv_forward.
 */
EXPORT(conv1_forward)
void conv1_forward(const float *x, int N, int H, int W, const float *f, int r, int K, int padT, int padL, int OH, int OW,
                   const float *bias, int relu, float *y) {
  for (int n = 0; n < N; n++) {
    const float *img = x + (long)n * H * W;
    for (int i = 0; i < OH; i++) {
      int a0 = padT - i > 0 ? padT - i : 0, a1 = H + padT - i < r ? H + padT - i : r; /* taps inside the image */
      for (int j = 0; j < OW; j++) {
        int b0 = padL - j > 0 ? padL - j : 0, b1 = W + padL - j < r ? W + padL - j : r;
        const float *at = img + (i - padT) * W + j - padL;
        float *out = y + (((long)n * OH + i) * OW + j) * K;
        /* 32 channels at a time where K allows (eight accumulators), else 8. */
#define CONV1_CHANNELS(NV)                                                                          \
        for (; kk + 4 * NV <= K; kk += 4 * NV) {                                                    \
          v4 acc[NV];                                                                               \
          _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) acc[q] = wasm_f32x4_splat(0.f); \
          for (int a = a0; a < a1; a++)                                                             \
            for (int b = b0; b < b1; b++) {                                                         \
              v4 xv = wasm_v128_load32_splat(at + a * W + b);                                       \
              const float *fp = f + (a * r + b) * K + kk;                                           \
              _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                       \
                acc[q] = madd(xv, wasm_v128_load(fp + 4 * q), acc[q]);                              \
            }                                                                                       \
          _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                           \
            wasm_v128_store(out + kk + 4 * q, acc[q]);                                              \
        }
        int kk = 0;
        CONV1_CHANNELS(8)
        CONV1_CHANNELS(2)
#undef CONV1_CHANNELS
      }
    }
  }
  finish(y, (long)N * OH * OW, K, bias, relu);
}

/* dW [r,r,1,K] of conv1_forward given x and dy [N,OH,OW,K], a row of dy at a time so it stays in cache. */
EXPORT(conv1_filter_grad)
void conv1_filter_grad(const float *x, int N, int H, int W, const float *dy, int r, int K, int padT, int padL, int OH,
                       int OW, float *dw) {
  for (int i = 0; i < r * r * K; i++) dw[i] = 0;
  for (int n = 0; n < N; n++) {
    const float *img = x + (long)n * H * W;
    for (int i = 0; i < OH; i++) {
      const float *g = dy + ((long)n * OH + i) * OW * K;
      for (int a = 0; a < r; a++) {
        int yy = i + a - padT;
        if (yy < 0 || yy >= H) continue;
        const float *row = img + yy * W;
        for (int b = 0; b < r; b++) {
          int j0 = padL - b > 0 ? padL - b : 0;               /* first j with 0 <= j + b - padL */
          int j1 = W + padL - b < OW ? W + padL - b : OW;     /* first j with j + b - padL >= W */
          /* 32 channels at a time where K allows (eight accumulators), else 8. */
#define CONV1_GRAD_CHANNELS(NV)                                                                      \
          for (; kk + 4 * NV <= K; kk += 4 * NV) {                                                   \
            float *wp = dw + (a * r + b) * K + kk;                                                   \
            v4 acc[NV];                                                                              \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) acc[q] = wasm_v128_load(wp + 4 * q); \
            for (int j = j0; j < j1; j++) {                                                          \
              v4 xv = wasm_v128_load32_splat(row + j + b - padL);                                    \
              const float *gp = g + j * K + kk;                                                      \
              _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++)                        \
                acc[q] = madd(xv, wasm_v128_load(gp + 4 * q), acc[q]);                               \
            }                                                                                        \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NV; q++) wasm_v128_store(wp + 4 * q, acc[q]); \
          }
          int kk = 0;
          CONV1_GRAD_CHANNELS(8)
          CONV1_GRAD_CHANNELS(2)
#undef CONV1_GRAD_CHANNELS
        }
      }
    }
  }
}

/*
 * The gradient of 2x2, stride-2 max pooling over x [N,H,W,C] (C a multiple
 * of 4): each of dy's [N,H/2,W/2,C] values goes to the first maximum of its
 * window in row-major order, none if the window is all NaN or -infinity.
 */
EXPORT(max_pool2x2_grad)
void max_pool2x2_grad(const float *x, int N, int H, int W, int C, const float *dy, float *dx) {
  int OH = H / 2, OW = W / 2;
  long row = (long)W * C;
  for (long i = 0; i < (long)N * H * row; i++) dx[i] = 0;
  const v4 none = wasm_f32x4_splat(-__builtin_inff());
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++)
        for (int c = 0; c < C; c += 4) {
          long p = ((long)(n * H + 2 * oh) * W + 2 * ow) * C + c;
          long at[4] = {p, p + C, p + row, p + row + C};
          v4 best = none, won[4];
          for (int q = 0; q < 4; q++) {
            v4 v = wasm_v128_load(x + at[q]);
            won[q] = wasm_f32x4_gt(v, best); /* strictly greater: the first maximum stays */
            best = wasm_v128_bitselect(v, best, won[q]);
          }
          v4 g = wasm_v128_load(dy + (((long)n * OH + oh) * OW + ow) * C + c), later = won[3];
          wasm_v128_store(dx + at[3], wasm_v128_and(g, won[3]));
          for (int q = 2; q >= 0; q--) {
            wasm_v128_store(dx + at[q], wasm_v128_andnot(wasm_v128_and(g, won[q]), later));
            later = wasm_v128_or(later, won[q]);
          }
        }
}

/*
 * out[c] = scale * sum over rows of x[row][c], x [rows][C] with C a multiple
 * of 4, summed in float64 (BatchNorm's statistics and gradients, biases' gradients).
 */
EXPORT(sum_rows)
void sum_rows(const float *x, int rows, int C, float scale, float *out) {
  for (int c = 0; c < C; c += 4) {
    v128_t lo = wasm_f64x2_splat(0), hi = lo;
    const float *p = x + c;
    for (int i = 0; i < rows; i++, p += C) {
      v4 v = wasm_v128_load(p);
      lo = wasm_f64x2_add(lo, wasm_f64x2_promote_low_f32x4(v));
      hi = wasm_f64x2_add(hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
    }
    v128_t s = wasm_f64x2_splat(scale);
    lo = wasm_f64x2_mul(lo, s);
    hi = wasm_f64x2_mul(hi, s);
    wasm_v128_store(out + c, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
}

/*
 * BatchNorm in training (batchNorm.ts has the maths), x [rows][C] with C a
 * multiple of 4 and at most BN_MAX_C; statistics in float64.
 */
#define BN_MAX_C 512

/* Adds each row of x (C floats) into lo/hi, float64 accumulators of channels 0,1 and 2,3 of each group of 4. */
static inline void acc64(v128_t *lo, v128_t *hi, int g, v4 v) {
  lo[g] = wasm_f64x2_add(lo[g], wasm_f64x2_promote_low_f32x4(v));
  hi[g] = wasm_f64x2_add(hi[g], wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
}

static inline double lane64(const v128_t *lo, const v128_t *hi, int c) {
  const v128_t *p = (c & 2) ? &hi[c >> 2] : &lo[c >> 2];
  return (c & 1) ? wasm_f64x2_extract_lane(*p, 1) : wasm_f64x2_extract_lane(*p, 0);
}

/* y = gamma (x - mean) / sqrt(var + eps) + beta, with the batch's mean and (biased) variance, which it writes too. */
EXPORT(batch_norm_forward)
void batch_norm_forward(const float *x, int rows, int C, const float *gamma, const float *beta, float eps,
                        float *y, float *mean, float *var) {
  v128_t lo[BN_MAX_C / 4], hi[BN_MAX_C / 4];
  int G = C / 4;
  for (int g = 0; g < G; g++) lo[g] = hi[g] = wasm_f64x2_splat(0);
  for (int i = 0; i < rows; i++)
    for (int g = 0; g < G; g++) acc64(lo, hi, g, wasm_v128_load(x + i * C + 4 * g));
  for (int c = 0; c < C; c++) mean[c] = (float)(lane64(lo, hi, c) / rows);
  for (int g = 0; g < G; g++) lo[g] = hi[g] = wasm_f64x2_splat(0);
  for (int i = 0; i < rows; i++)
    for (int g = 0; g < G; g++) {
      v4 d = sub(wasm_v128_load(x + i * C + 4 * g), wasm_v128_load(mean + 4 * g));
      acc64(lo, hi, g, mul(d, d));
    }
  float scale[BN_MAX_C];
  for (int c = 0; c < C; c++) {
    var[c] = (float)(lane64(lo, hi, c) / rows);
    scale[c] = (float)(gamma[c] / __builtin_sqrt((double)var[c] + eps));
  }
  for (int i = 0; i < rows; i++)
    for (int g = 0; g < G; g++) {
      int o = i * C + 4 * g;
      v4 d = sub(wasm_v128_load(x + o), wasm_v128_load(mean + 4 * g));
      wasm_v128_store(y + o, madd(d, wasm_v128_load(scale + 4 * g), wasm_v128_load(beta + 4 * g)));
    }
}

/*
 * Its gradient: dx, dgamma and dbeta from dy and the gradients reaching the
 * mean and variance outputs; dx = a dy + b (x - mean) + d per channel.
 */
EXPORT(batch_norm_backward)
void batch_norm_backward(const float *dy, const float *x, int rows, int C, const float *gamma, const float *mean,
                         const float *var, const float *dmean, const float *dvar, float eps,
                         float *dx, float *dgamma, float *dbeta) {
  v128_t lo[BN_MAX_C / 4], hi[BN_MAX_C / 4], lo2[BN_MAX_C / 4], hi2[BN_MAX_C / 4];
  int G = C / 4;
  for (int g = 0; g < G; g++) lo[g] = hi[g] = lo2[g] = hi2[g] = wasm_f64x2_splat(0);
  for (int i = 0; i < rows; i++)
    for (int g = 0; g < G; g++) {
      int o = i * C + 4 * g;
      v4 d = wasm_v128_load(dy + o);
      acc64(lo, hi, g, d);
      acc64(lo2, hi2, g, mul(d, sub(wasm_v128_load(x + o), wasm_v128_load(mean + 4 * g))));
    }
  float a[BN_MAX_C], b[BN_MAX_C], d[BN_MAX_C];
  for (int c = 0; c < C; c++) {
    double inv = 1.0 / __builtin_sqrt((double)var[c] + eps), ac = gamma[c] * inv;
    double db = lane64(lo, hi, c), dg = inv * lane64(lo2, hi2, c);
    dbeta[c] = (float)db;
    dgamma[c] = (float)dg;
    a[c] = (float)ac;
    b[c] = (float)((2.0 * dvar[c] - ac * inv * dg) / rows);
    d[c] = (float)((dmean[c] - ac * db) / rows);
  }
  for (int i = 0; i < rows; i++)
    for (int g = 0; g < G; g++) {
      int o = i * C + 4 * g, c = 4 * g;
      v4 xc = sub(wasm_v128_load(x + o), wasm_v128_load(mean + c));
      v4 r = madd(wasm_v128_load(b + c), xc, wasm_v128_load(d + c));
      wasm_v128_store(dx + o, madd(wasm_v128_load(a + c), wasm_v128_load(dy + o), r));
    }
}
