/**
 * The files source: watched resources fed from a folder of YAML/JSON manifests.
 */
export { FilesSource, DEFAULTS, type AppliedBatch, type FilesSourceOptions } from './files-source.ts';
export { ManifestError, formatPosition, type ManifestPosition } from './manifest-error.ts';
export { parseManifest, type ManifestObject, type ParsedManifest } from './manifest-parser.ts';
export { MANIFEST_EXTENSIONS, FileTooLargeError, listManifestFiles, readManifestText, type ManifestFile, type ManifestListing } from './manifest-files.ts';
export { compileRoute, type ResourceRoute } from './resource-route.ts';
export { canonicalJson, contentVersion, syntheticUid } from './synthetic-metadata.ts';
