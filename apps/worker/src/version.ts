import rootPackage from '../../../package.json';

/** Version of the product, from the root package.json; sent in `user-agent`. */
export const PRODUCT_VERSION: string = rootPackage.version;
