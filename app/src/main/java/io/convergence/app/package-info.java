/** Convergence app. */
package io.convergence.app;
