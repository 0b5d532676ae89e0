// Child process for the memory test: scans an input with every analyzer and
// prints its peak RSS, so the parent measures only the scan's own memory.
// argv: INPUT [LAYER_WORKERS_MODE]
import { scan } from "../../packages/core/dist/index.js";

const report = await scan(process.argv[2], { layerWorkers: process.argv[3] ?? "auto" });
const maxRssKiB = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify({ maxRssKiB, uncompressed: report.image.sizes.uncompressed, files: report.image.sizes.files }));
