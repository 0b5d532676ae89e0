// @layerlint/core public API.
export { LayerlintError, isLayerlintError, type ErrorCode } from "./errors.js";
export type {
  Descriptor,
  Platform,
  ImageManifest,
  ImageConfig,
  ContainerConfig,
  HistoryEntry,
  ImageSource,
  SourceKind,
  FileEntry,
  FileType,
  ShadowedEntry,
  UnsafeEntry,
} from "./types.js";
export type { LayerIndex } from "./layer-index.js";
export { openSource, type OpenSourceOptions } from "./sources/open-source.js";
export { loadImage, type LoadedImage, type LoadOptions, type LayerSummary, type ProgressEvent } from "./load-image.js";
export { mergeLayers, type MergedFilesystem } from "./merge-layers.js";
export type { FileIndex } from "./file-index.js";
export { walkLayer, type WantsContent } from "./walk-layer.js";
export { openLayer, verifyBlob } from "./layer-stream.js";
export { sniffCompression, zstdImplementation, type Compression } from "./compression.js";
export { parsePlatform, formatPlatform, normalizePlatform, platformMatches, selectManifest } from "./platform.js";
export { fileRecord, symbolicMode, type FileRecord } from "./file-record.js";
export { defaultLimits, type Limits } from "./limits.js";
export { walkTar, type TarHeader, type TarVisitor } from "./tar/index.js";
