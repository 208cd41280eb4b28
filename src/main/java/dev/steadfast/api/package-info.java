/**
 * The Cloudflare v4 compatible Workflows REST API under {@code /client/v4}: JAX-RS resources,
 * the response envelope, bearer-token authentication and the mapping of every failure to an
 * envelope with a stable error code, so existing clients such as wrangler work unchanged.
 */
package dev.steadfast.api;
