/**
 * The code diagram of a workflow: its steps, sleeps, waits, loops, branches, try blocks and
 * parallel groups, read from the compiled class (a small class-file reader of our own, so the
 * WAR needs no bytecode library), in the shape of Cloudflare's workflow version graph.
 */
package dev.steadfast.workflow.engine.graph;
