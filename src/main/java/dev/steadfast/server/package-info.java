/**
 * Jakarta EE wiring of the engine: the datasource, configuration, JTA transactions, the EJB
 * wake-up timer, managed threads, CDI discovery of workflows and injection of their clients, and
 * health checks. Nothing here is API.
 */
package dev.steadfast.server;
