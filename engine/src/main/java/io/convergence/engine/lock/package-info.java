/**
 * Run locks: one run per (tenant, pipeline), held as a lease with a heartbeat and an epoch that
 * serves as a fencing token. {@link io.convergence.engine.lock.LockStore} is the storage SPI,
 * {@link io.convergence.engine.lock.LockManager} the engine-facing service.
 */
package io.convergence.engine.lock;
