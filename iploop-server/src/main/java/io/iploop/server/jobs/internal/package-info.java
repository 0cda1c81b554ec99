/** Jobs implementation: the JDBC lock provider, the scheduler registration and the admin endpoints. */
@NullMarked
package io.iploop.server.jobs.internal;

import org.jspecify.annotations.NullMarked;
