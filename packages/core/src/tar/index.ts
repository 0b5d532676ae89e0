/** Tar reading (SPECS.md §7): streaming walker, in-place file index, and their building blocks. */
export type { TarHeader, TarType } from "./tar-header.js";
export { walkTar, type TarVisitor, type TarLimits } from "./walk-tar.js";
export { indexTarFile, memberName, type TarMember, type TarIndexLimits } from "./tar-file-index.js";
export { parsePax, mergePax, applyPax, type PaxInfo } from "./pax.js";
export { BLOCK, checkBlock, decodeHeader, finishHeader, readNumber, typeOfFlag } from "./header-block.js";
