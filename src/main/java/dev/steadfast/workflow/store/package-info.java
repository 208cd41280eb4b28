/**
 * Persistence of the workflow engine: JPA entities of the step journal, instances, events and
 * workflows, the schema migrator, and the queries the engine runs. Nothing here is public API.
 */
package dev.steadfast.workflow.store;
