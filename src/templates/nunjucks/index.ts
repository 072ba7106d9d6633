/**
 * nunjucks' internals, owned here: the only folder of informant that requires
 * `nunjucks/src/*` or replaces parts of nunjucks (see each patch's file). Everything else
 * uses nunjucks' public API and what this index exports.
 */
export { install } from './install.ts';
export { boundedRange, runWithDeadline } from './deadline-patch.ts';
export { locateError, templateLocation, type TemplateLocation } from './location.ts';
export { literalLoads, loadTemplate, templateFile, type LiteralLoad } from './template-files.ts';
export { namesUsed, type UsedName } from './names-used.ts';
export { filtersOf, isKeywordArgs } from './internals.ts';
export { setOutputCheck, isSafeString, type OutputCheck } from './output-check.ts';
export { freezeResult, memoExtension, setMemoRunner, type MemoBlock, type MemoResult, type MemoRunner } from './memo-tag.ts';
