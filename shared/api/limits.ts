// One set of limits for what the API accepts and what the workspace stores and loads:
// whatever a client can make, the next start loads back. (A limit on one side only
// once let a 257th session be accepted and saved, and the next start called the whole
// workspace corrupt and dropped every session.)
export const MAX_SESSIONS = 256;
export const MAX_PLOTS = 32;
export const MAX_REPLAYS = 32;
/** Session names, recording names. */
export const MAX_NAME_CHARS = 100;
export const MAX_ID_CHARS = 64;
export const MAX_PATH_CHARS = 4096;
