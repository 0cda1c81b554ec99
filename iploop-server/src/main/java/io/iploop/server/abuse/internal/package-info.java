/** Abuse reports implementation: the public and admin controllers, the repository and the service. */
@NullMarked
package io.iploop.server.abuse.internal;

import org.jspecify.annotations.NullMarked;
