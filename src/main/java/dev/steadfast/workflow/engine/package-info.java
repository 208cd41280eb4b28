/**
 * The durable execution engine: replay of workflow code against the step journal, the
 * dispatcher (due times, claims with leases, wake-up timer), lifecycle control and recovery. It
 * depends on the container only through small ports ({@link
 * dev.steadfast.workflow.engine.Transactor}, {@link dev.steadfast.workflow.engine.WakeUpTimer},
 * executors), so the same code runs in Payara, in WildFly and in plain JUnit tests.
 */
package dev.steadfast.workflow.engine;
