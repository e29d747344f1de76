// The Origin header the client probe sends on every request, as Element Web would. A server that echoes the
// origin instead of sending `*` answers with this value, so the CORS checks accept it and put it in their curl lines.

/** The Origin the probe sends; a server that echoes the origin instead of `*` answers with this. */
export const CLIENT_ORIGIN = "https://app.element.io";
