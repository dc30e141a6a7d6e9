import { config } from '@consilium/eslint-config';

export default config({ tsconfigRootDir: import.meta.dirname, allowTrpcErrors: false });
