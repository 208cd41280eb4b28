/**
 * A user's application, as docs/library.md describes it: its own workflow, a CDI bean it injects
 * and a servlet that starts instances through {@code @WorkflowBinding}. {@code UserWarIT} packs it
 * with the Steadfast library jar into a WAR of its own and runs it on Payara Micro.
 */
package com.example.shop;
