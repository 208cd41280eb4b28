/**
 * The demo workflows the README walks through: the patterns of Cloudflare's Workflows
 * documentation written with Steadfast's Java API.
 */
package dev.steadfast.examples;
