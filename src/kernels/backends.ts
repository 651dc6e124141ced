/**
 * Which tfjs backend to train on, and getting it ready.
 *
 * The rule for when none is measured (a backend the person picked, a lost
 * context, cancelled timing; core/train/backendTrial.ts chooses by timing):
 * WebGL on a real GPU is assumed fastest; WebGL on a software rasteriser
 * (SwiftShader, llvmpipe) is emulated on the CPU and slower than wasm by two
 * orders of magnitude, so a software renderer sends us to wasm.
 */
import * as tf from '../core/tf';
import { registerBatchNormTraining } from './batchNorm';
import { registerFastGradients } from './gradients';
import { registerWasmTrainingKernels } from './wasmKernels';
import { WinogradConv, type WinogradBuild } from './winograd';

export type BackendName = 'webgl' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  reason: string;
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|basic render|microsoft basic|lavapipe/i;

export function isSoftwareRenderer(renderer: string | undefined): boolean {
  return renderer !== undefined && SOFTWARE_RENDERERS.test(renderer);
}

export interface BackendEnvironment {
  /** The WebGL renderer string, or undefined when WebGL2 is not available. */
  renderer?: string;
  /** Whether WebAssembly is available. */
  wasm: boolean;
  /** A backend the person asked for explicitly. */
  override?: BackendName;
  /** Backends already known to fail here (e.g. after a lost context). */
  exclude?: BackendName[];
}

/** Pure decision, so it can be tested without a browser. */
export function chooseBackend(env: BackendEnvironment): BackendChoice {
  const excluded = new Set(env.exclude ?? []);
  const usable = (b: BackendName) => !excluded.has(b) && (b !== 'webgl' || env.renderer !== undefined) && (b !== 'wasm' || env.wasm);
  if (env.override) {
    if (usable(env.override)) return { name: env.override, reason: `chosen by you` };
    const why = excluded.has(env.override) ? 'failed earlier' : 'is not available here';
    const fallback = chooseBackend({ ...env, override: undefined });
    return { name: fallback.name, reason: `${env.override} ${why}; ${fallback.reason}` };
  }
  if (usable('webgl') && !isSoftwareRenderer(env.renderer)) return { name: 'webgl', reason: `GPU: ${env.renderer}` };
  if (usable('wasm')) {
    const why = env.renderer === undefined || excluded.has('webgl') ? 'no usable WebGL' : `WebGL is software-rendered (${env.renderer})`;
    return { name: 'wasm', reason: `${why}; WebAssembly on the CPU is faster` };
  }
  if (usable('webgl')) return { name: 'webgl', reason: `software WebGL (${env.renderer}); no WebAssembly` };
  return { name: 'cpu', reason: 'neither WebGL nor WebAssembly is available' };
}

/** Reads the WebGL2 renderer string in a page or a worker; undefined without WebGL2. */
export function probeWebGLRenderer(): string | undefined {
  try {
    const canvas: OffscreenCanvas | HTMLCanvasElement | undefined =
      typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(1, 1)
        : typeof document !== 'undefined'
          ? document.createElement('canvas')
          : undefined;
    const gl = canvas?.getContext('webgl2') as WebGL2RenderingContext | null | undefined;
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return undefined;
  }
}

/**
 * Our convolution module: the build `load` picks (relaxed SIMD where it runs),
 * else SIMD128; null where neither loads (no wasm SIMD: old browsers), and
 * convolutions stay on XNNPACK, slower.
 */
export function loadConvolutions(load: (build?: WinogradBuild) => Promise<WinogradConv> = (b) => WinogradConv.load(b)): Promise<WinogradConv | null> {
  return load().catch(() => load('simd128')).catch((e: Error) => {
    console.warn(`Winograd convolutions unavailable, using XNNPACK's: ${e.message}`);
    return null;
  });
}

/** Instantiated once however often the wasm backend is initialised. */
let convolutions: Promise<WinogradConv | null> | undefined;

/**
 * Registers our kernels and gradients and switches tfjs to `name`. The wasm
 * and webgl backends must have been imported by the caller (their packages
 * register themselves on import).
 */
export async function initBackend(name: BackendName): Promise<void> {
  registerFastGradients();
  registerBatchNormTraining();
  if (name === 'wasm') registerWasmTrainingKernels(await (convolutions ??= loadConvolutions()));
  if (name === 'webgl') {
    // Workers may only get software WebGL with this flag; the chooser decides whether to use it.
    try {
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
    } catch {
      // the webgl package was not imported; setBackend below reports it
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`the ${name} backend could not start here`);
  await tf.ready();
}
