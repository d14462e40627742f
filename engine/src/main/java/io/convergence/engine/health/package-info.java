/** Health checks of a workspace setup: what {@code convergence doctor} and the app's Health screen show. */
package io.convergence.engine.health;
