export { allRules, gateRules, ruleCatalogue, findRule } from "./catalogue.js";
export { GATE_RULES } from "./gate-rules.js";
export { REF, type RuleReference } from "./references.js";
export { renderRulesDoc, ruleAnchor, RULES_DOC_URL } from "./docs.js";
