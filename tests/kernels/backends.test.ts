import { describe, expect, it, vi } from 'vitest';
import { chooseBackend, isSoftwareRenderer, loadConvolutions } from '../../src/kernels/backends';
import { WinogradConv, type WinogradBuild } from '../../src/kernels/winograd';

const SWIFTSHADER = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const GPU = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 4070 Direct3D11 vs_5_0 ps_5_0, D3D11)';

describe('backend choice', () => {
  it('knows software rasterisers', () => {
    expect(isSoftwareRenderer(SWIFTSHADER)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareRenderer(GPU)).toBe(false);
    expect(isSoftwareRenderer(undefined)).toBe(false);
  });

  it('picks WebGL on a real GPU and WebAssembly on software WebGL', () => {
    expect(chooseBackend({ renderer: GPU, wasm: true })).toMatchObject({ name: 'webgl', reason: expect.stringContaining('NVIDIA') });
    expect(chooseBackend({ renderer: SWIFTSHADER, wasm: true })).toMatchObject({ name: 'wasm', reason: expect.stringContaining('software-rendered') });
    expect(chooseBackend({ wasm: true }).name).toBe('wasm');
    expect(chooseBackend({ renderer: SWIFTSHADER, wasm: false }).name).toBe('webgl');
    expect(chooseBackend({ wasm: false }).name).toBe('cpu');
  });

  it('honours an override it can run, and explains one it cannot', () => {
    expect(chooseBackend({ renderer: SWIFTSHADER, wasm: true, override: 'webgl' })).toEqual({ name: 'webgl', reason: 'chosen by you' });
    expect(chooseBackend({ wasm: true, override: 'cpu' }).name).toBe('cpu');
    const c = chooseBackend({ wasm: true, override: 'webgl' });
    expect(c.name).toBe('wasm');
    expect(c.reason).toMatch(/^webgl is not available here/);
  });

  it('skips a backend that failed (a lost WebGL context)', () => {
    expect(chooseBackend({ renderer: GPU, wasm: true, exclude: ['webgl'] }).name).toBe('wasm');
    expect(chooseBackend({ renderer: GPU, wasm: true, override: 'webgl', exclude: ['webgl'] }).reason).toMatch(/webgl failed earlier/);
  });
});

describe('loading our convolution module', () => {
  it('falls back to the SIMD128 build when the first fails, and to XNNPACK (null) when both do', async () => {
    const asked: (WinogradBuild | undefined)[] = [];
    const noRelaxed = (b?: WinogradBuild) => {
      asked.push(b);
      return b === 'simd128' ? WinogradConv.load('simd128') : Promise.reject(new Error('invalid simd opcode'));
    };
    expect((await loadConvolutions(noRelaxed))?.build).toBe('simd128');
    expect(asked).toEqual([undefined, 'simd128']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await loadConvolutions(() => Promise.reject(new Error('no wasm SIMD')))).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no wasm SIMD'));
    warn.mockRestore();
  });
});
