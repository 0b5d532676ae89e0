/** Tar reading as Go's archive/tar does it: streaming walker, in-place file index, and their building blocks. */
export type { TarHeader, TarType } from "./tar-header.js";
export { walkTar, type TarVisitor, type TarLimits } from "./walk-tar.js";
export { indexTarFile, memberName, type TarMember, type TarIndexLimits } from "./tar-file-index.js";
export { decodeName, encodeName, escapeName } from "./names.js";
export { BLOCK, checkBlock, decodeHeader, parseNumeric, parseOctal, typeOfFlag } from "./header-block.js";
