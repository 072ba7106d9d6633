/**
 * The connection to a Kubernetes API server, shared by the Kubernetes source, the Lease
 * client and the daemon: finding and loading the kubeconfig (kubectl's rules), and an
 * authenticated HTTP client speaking raw JSON, with @kubernetes/client-node used only for
 * kubeconfig parsing and authentication.
 */
export {
  HttpApiClient,
  readBody,
  readJsonOrUndefined,
  type ApiClient,
  type ApiRequestOptions,
  type ApiResponse,
  type ApiSendOptions,
  type JsonSender,
} from './client.ts';
export { createApiClient, loadKubeConfig, runningInCluster, type KubeconfigEnvironment, type KubeconfigOptions } from './kubeconfig.ts';
export { ApiRequestError, KubeconfigError } from './errors.ts';
export {
  reviewAccess,
  reviewToken,
  ReviewError,
  type NonResourceAttributes,
  type ReviewedUser,
} from './reviews.ts';
