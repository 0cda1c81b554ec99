/** Implementation of the notifications feature: its table, service and REST controller. */
@NullMarked
package io.iploop.server.notifications.internal;

import org.jspecify.annotations.NullMarked;
