import http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FetchFunction, FetchInit, FetchResponse } from '../index.ts';

/** OpenSSL verification codes (and Node's host-name check) that mean "this server is not trusted". */
const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A {@link FetchFunction} that authenticates like `kubectl`, from a `KubeConfig` of
 * `@kubernetes/client-node`: bearer tokens, token files, exec and auth-provider plugins, basic
 * auth, client certificates, the cluster's CA, `tls-server-name`, `insecure-skip-tls-verify` and
 * `proxy-url` (HTTP(S) and SOCKS) — everything `KubeConfig.applyToHTTPSOptions` applies, for the
 * context that is current at each request.
 *
 * Built on `node:https` (or `node:http` for an `http://` server with `insecure-skip-tls-verify`):
 * the response body streams as it arrives, with no request timeout (the 30 s abort of
 * client-node 2.0's `Watch` does not apply). The body is Node.js's `IncomingMessage` itself, an
 * async iterable of `Buffer` chunks (a {@link FetchResponse}, not a WHATWG `Response`): wrapping
 * it in a web stream cost about a tenth of a watch's CPU time. Credentials are applied per request, so rotated
 * tokens and expiring exec credentials are refreshed; they are never copied into errors.
 *
 * Errors: the request's own error (`ECONNREFUSED`, `ECONNRESET`, an `AbortError` …) unchanged;
 * a certificate the kubeconfig does not trust becomes an `Error` that names the server and the
 * OpenSSL code (kept in `code`, the original in `cause`).
 *
 * @example
 * ```ts
 * import { KubeConfig } from '@kubernetes/client-node';
 * import { fetchListWatch } from 'rxkube';
 * import { kubeFetch } from 'rxkube/kube';
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const pods = fetchListWatch({ baseUrl: kc.getCurrentCluster()!.server, resource: '/api/v1/pods', fetch: kubeFetch(kc) });
 * ```
 *
 * @param kubeConfig - a loaded kubeconfig.
 * @returns a fetch function for URLs of the kubeconfig's current cluster.
 */
export function kubeFetch(kubeConfig: KubeConfig): FetchFunction {
  return async (url: string, init: FetchInit): Promise<FetchResponse> => {
    init.signal.throwIfAborted();
    const options: https.RequestOptions = { headers: {} };
    await kubeConfig.applyToHTTPSOptions(options);
    init.signal.throwIfAborted();
    // applyToHTTPSOptions writes a plain object (Authorization, Impersonate-User).
    const headers: OutgoingHttpHeaders = { ...(options.headers as OutgoingHttpHeaders) };
    init.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const transport = url.startsWith('http:') ? http : https;
    return new Promise<FetchResponse>((resolve, reject) => {
      const request = transport.request(url, { ...options, method: init.method, headers, signal: init.signal });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status > 599) {
          response.destroy();
          reject(new Error(`${new URL(url).origin} answered with HTTP status ${status}`));
          return;
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const nullBody = status === 204 || status === 205 || status === 304;
        if (nullBody) response.resume();
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: response.statusMessage ?? '',
          headers: responseHeaders,
          body: nullBody ? null : (response as AsyncIterable<Uint8Array>),
        });
      });
      request.on('error', (error) => reject(explainTlsFailure(error, url)));
      request.end(init.body);
    });
  };
}

function explainTlsFailure(error: Error, url: string): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !TLS_TRUST_CODES.has(code)) return error;
  const origin = new URL(url).origin;
  const explained = new Error(
    `TLS: ${origin} presented a certificate the kubeconfig does not trust (${code}: ${error.message}); ` +
      `check the cluster's certificate-authority / certificate-authority-data and tls-server-name`,
    { cause: error },
  );
  return Object.assign(explained, { code });
}
