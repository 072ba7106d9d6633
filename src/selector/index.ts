/**
 * Kubernetes label and field selectors: parsed with the API server's grammar, evaluated
 * client-side by the files source, validated at config load for every source.
 */
export { LabelSelector, parseLabelSelector } from './label-selector.ts';
export type { LabelOperator, LabelRequirement, Labels } from './label-requirement.ts';
export {
  FieldSelector,
  SUPPORTED_FIELDS,
  escapeFieldValue,
  fieldValue,
  parseFieldSelector,
  type FieldOperator,
  type FieldRequirement,
  type FieldSelectorOptions,
} from './field-selector.ts';
export { SelectorError, type SelectorKind } from './selector-error.ts';
export { labelKeyProblem, labelValueProblem } from './label-validation.ts';
