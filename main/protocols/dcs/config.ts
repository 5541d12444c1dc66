// The DCS configuration schema lives in shared/ (the renderer's form validates with it).
export * from '../../../shared/api/dcs-config';
