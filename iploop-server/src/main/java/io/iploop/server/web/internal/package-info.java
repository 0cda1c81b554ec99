/**
 * Dashboard implementation: the page controllers, the model advice that puts the signed-in account
 * and navigation state into every page, the formatting helpers templates call as {@code @fmt}, and
 * the error page handling for page requests.
 */
@NullMarked
package io.iploop.server.web.internal;

import org.jspecify.annotations.NullMarked;
