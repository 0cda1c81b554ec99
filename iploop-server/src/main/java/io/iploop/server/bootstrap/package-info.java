/**
 * First-start initialisation (admin and demo accounts, demo API key) and the startup banner.
 */
@NullMarked
package io.iploop.server.bootstrap;

import org.jspecify.annotations.NullMarked;
