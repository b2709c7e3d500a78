/**
 * Which GPU execution providers `edgeflow.inference.device: auto` tries, decided without asking
 * ONNX Runtime to load one that cannot load. onnxruntime-node lists CUDA as "not bundled" on Linux
 * and Windows: its provider library is downloaded apart (the npm install fetches it only with
 * CUDA present, and the VSIX ships none). Asking for CUDA without that library makes ONNX Runtime
 * print an error to the worker's stderr on every model load (issue 30: a CUDA warning on every
 * load on CPU machines), so a provider whose library is not next to the binding is skipped
 * up front and the fallback says, once, that this ONNX Runtime offers no GPU provider.
 * vscode-free: the worker thread imports it.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** One entry of `ort.listSupportedBackends()`. */
export interface BackendEntry {
  readonly name: string;
  /** False when the provider's library ships apart from the binding (CUDA, TensorRT). */
  readonly bundled: boolean;
}

/** What the choice depends on (injectable for tests). */
export interface ProviderEnvironment {
  readonly platform: NodeJS.Platform;
  readonly backends: readonly BackendEntry[];
  /** True when the provider's library file sits next to the ONNX Runtime binding. */
  providerLibraryPresent(provider: string): boolean;
}

/** The GPU providers to try, in order, and the ones left out because they cannot load here. */
export interface GpuChoice {
  readonly tries: string[];
  /** Providers this ONNX Runtime was built with whose separately shipped library is missing. */
  readonly missingLibrary: string[];
}

/** GPU providers worth trying on a platform, in order (DirectML and Core ML are in the binary). */
export function gpuCandidates(env: ProviderEnvironment): GpuChoice {
  const listed = new Map(env.backends.map((b) => [b.name, b]));
  const wanted = env.platform === 'darwin' ? ['coreml'] : env.platform === 'win32' ? ['cuda', 'dml'] : env.platform === 'linux' ? ['cuda'] : [];
  const tries: string[] = [];
  const missingLibrary: string[] = [];
  for (const p of wanted) {
    const entry = listed.get(p);
    if (p === 'coreml' || p === 'dml') {
      tries.push(p); // part of the platform's binding, whether listed or not
    } else if (!entry) {
      // The node binding lists the providers it was built with; an unlisted one cannot load.
    } else if (entry.bundled || env.providerLibraryPresent(p)) {
      tries.push(p);
    } else {
      missingLibrary.push(p);
    }
  }
  return { tries, missingLibrary };
}

/** The file name of a separately shipped provider library on a platform. */
export function providerLibraryName(provider: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `onnxruntime_providers_${provider}.dll` : `libonnxruntime_providers_${provider}.so`;
}

/**
 * The binding folder of the onnxruntime-node this process loads (`bin/napi-v6/<platform>/<arch>/`
 * of the package), or undefined when the package cannot be located.
 */
export function ortBindingDir(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', platform, arch);
  } catch {
    return undefined;
  }
}

/**
 * `providerLibraryPresent` for a binding folder: the provider's library file is there. Without a
 * folder every provider counts as present (it is tried, as before this check).
 */
export function libraryProbe(dir: string | undefined, platform: NodeJS.Platform = process.platform): (provider: string) => boolean {
  return (provider) => dir === undefined || existsSync(path.join(dir, providerLibraryName(provider, platform)));
}
