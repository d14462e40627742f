/** Convergence designer. */
package io.convergence.designer;
